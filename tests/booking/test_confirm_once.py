"""The confirm step books once: pressing it twice, or Back and confirm again, shows the
booking already made, never a second one."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from service_desk.base.links import done_reference
from service_desk.catalog.models import Slot
from service_desk.extensions import db
from service_desk.requests.models import ServiceRequest

from ..factories import csrf_from, free_times, open_for_booking
from ..factories import service_by_code as _service

DETAILS = {"name": "王秀兰", "phone": "13812345678", "address": "", "group": "elderly",
           "needs": ""}
TOKEN_RE = re.compile(r'name="confirm_token" value="([^"]+)"')


@pytest.fixture
def resident(app, client, seeded):
    open_for_booking(app)
    client.set_cookie("lang", "en")
    return client


def check_page(client, start: str) -> str:
    """The check page of the flow (what the details step shows before anything is stored)."""
    page = client.get(f"/book/sign-language/details?start={start}").get_data(as_text=True)
    response = client.post(f"/book/sign-language/details?start={start}", data={
        **DETAILS, "start": start, "csrf_token": csrf_from(page)})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def press_confirm(client, html: str, start: str, **override):
    data = {**DETAILS, "start": start, "csrf_token": csrf_from(html),
            "confirm_token": TOKEN_RE.search(html).group(1), **override}
    return client.post("/book/sign-language/confirm", data=data)


def reference_of(app, response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.test_request_context():
        return done_reference(response.headers["Location"].rsplit("/", 1)[1])


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count(ServiceRequest.id))),
                db.session.scalar(select(func.coalesce(func.sum(Slot.booked), 0))))


def test_pressing_confirm_twice_shows_the_same_booking(app, resident):
    with app.app_context():  # not the day rule: the token alone must hold
        _service("sign-language").max_active_per_phone_per_day = 5
        db.session.commit()
    start, later = (s.start.isoformat() for s in free_times(app, "sign-language", 2))
    html = check_page(resident, start)
    first = reference_of(app, press_confirm(resident, html, start))
    again = reference_of(app, press_confirm(resident, html, start))  # Back, or a double tap
    assert again == first
    assert counts(app) == (1, 1)
    # a new check page is a new attempt: it books (the allowance here is five)
    second = reference_of(app, press_confirm(resident, check_page(resident, later), later))
    assert second != first and counts(app) == (2, 2)


def test_a_malformed_token_is_ignored_and_books_as_before(app, resident):
    start = free_times(app, "sign-language", 1)[0].start.isoformat()
    html = check_page(resident, start)
    reference = reference_of(app, press_confirm(resident, html, start, confirm_token="<x>"))
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(
            ServiceRequest.reference == reference))
        assert item.confirm_token is None


def test_with_the_default_allowance_a_new_attempt_that_day_shows_the_booking_held(app,
                                                                                 resident):
    first_slot, *others = free_times(app, "sign-language", 10)
    start = first_slot.start.isoformat()
    reference = reference_of(app, press_confirm(resident, check_page(resident, start), start))
    same_day = next(s for s in others if s.start.date() == first_slot.start.date())
    other = same_day.start.isoformat()
    response = press_confirm(resident, check_page(resident, other), other)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "You already have a booking" in html
    # when it is, not which: the reference with the phone would let anyone cancel it
    assert reference[:4] not in html and "My booking" in html
    assert counts(app) == (1, 1)
