"""A time that cannot be booked says why: past, too soon, too far ahead, a closed day, not one
of the service's times, or full, on the web (details, confirm, move) and the API alike."""
from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale

from service_desk.base.calendar import today
from service_desk.catalog.models import Channel, Closure, SpecialGroup
from service_desk.extensions import db
from service_desk.requests.appointments import appointment_book
from service_desk.requests.models import ServiceRequest
from service_desk.requests.residents import Resident
from service_desk.requests.slot_reasons import SlotReason, slot_problem

from ..factories import csrf_from, local_at, open_for_booking, service_by_code

DETAILS = {"name": "王秀兰", "phone": "13812345678", "address": "海埠路 1 号 2 单元 301 室",
           "group": "elderly"}


@pytest.fixture
def resident(app, client, seeded):
    open_for_booking(app)  # every day 09:00–12:00, 13:30–17:00; 14 days; an hour's notice
    client.set_cookie("lang", "en")
    return client


def _tomorrow(app) -> dt.date:
    with app.app_context():
        return today() + dt.timedelta(days=1)


def _close(app, day: dt.date) -> None:
    with app.app_context():
        db.session.add(Closure(service_id=service_by_code("home-visit").id, on_date=day,
                               reason="培训"))
        db.session.commit()


def _fill(app, start: dt.datetime) -> None:
    with app.app_context():
        appointment_book(service=service_by_code("home-visit"), start=start,
                         channel=Channel.PHONE,
                         resident=Resident(name="邻居", phone="13900000000",
                                           address="海埠路 3 号", group=SpecialGroup.ELDERLY))
        db.session.commit()


def test_each_reason_is_told_apart(app, resident):
    tomorrow = _tomorrow(app)
    now = local_at(tomorrow, 8, 30)  # half past eight tomorrow morning
    _close(app, tomorrow + dt.timedelta(days=2))
    _fill(app, local_at(tomorrow, 15, 0))
    with app.test_request_context():
        service = service_by_code("home-visit")

        def reason(start):
            problem = slot_problem(service, start, now=now)
            return problem.reason if problem else None

        assert reason(local_at(tomorrow, 8, 0)) is SlotReason.PAST
        assert reason(dt.datetime(2020, 1, 1, 1, tzinfo=dt.UTC)) is SlotReason.PAST
        assert reason(local_at(tomorrow, 9, 0)) is SlotReason.TOO_SOON  # an hour's notice
        assert reason(local_at(tomorrow, 9, 10)) is SlotReason.NOT_OFFERED  # off the grid
        assert reason(local_at(tomorrow, 12, 30)) is SlotReason.NOT_OFFERED  # lunch break
        assert reason(local_at(tomorrow + dt.timedelta(days=2), 10, 0)) is SlotReason.CLOSED
        assert reason(local_at(tomorrow + dt.timedelta(days=30), 10, 0)) is SlotReason.TOO_FAR
        assert reason(local_at(tomorrow, 15, 0)) is SlotReason.FULL
        assert reason(local_at(tomorrow, 10, 0)) is None  # bookable
        with force_locale("en"):
            too_soon = slot_problem(service, local_at(tomorrow, 9, 0), now=now)
        assert "at least 1 hour ahead" in str(too_soon.message)


def _details(client, start: dt.datetime):
    return client.get("/book/home-visit/details", query_string={"start": start.isoformat()})


def test_the_issue_url_says_the_time_is_past_not_full(app, resident):
    response = resident.get("/book/home-visit/details?start=2020-01-01T01:00:00%2B00:00")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "already past" in html and "fully booked" not in html and "no longer free" not in html
    assert 'id="day-error"' in html  # back on the choice of days, with the reason


@pytest.mark.parametrize("start_of,words,status", [
    (lambda d: local_at(d, 9, 10), "not one this service offers", 422),
    (lambda d: local_at(d + dt.timedelta(days=40), 10, 0), "up to 14 days ahead", 422),
    (lambda d: local_at(d + dt.timedelta(days=2), 10, 0), "closed on that day", 422),
    (lambda d: local_at(d, 15, 0), "fully booked", 409),
])
def test_the_details_step_says_what_is_wrong(app, resident, start_of, words, status):
    tomorrow = _tomorrow(app)
    _close(app, tomorrow + dt.timedelta(days=2))
    _fill(app, local_at(tomorrow, 15, 0))
    response = _details(resident, start_of(tomorrow))
    html = response.get_data(as_text=True)
    assert response.status_code == status and words in html, html[:3000]


def test_confirm_with_a_past_time_says_so_and_books_nothing(app, resident):
    token = csrf_from(resident.get("/my-booking").get_data(as_text=True))
    response = resident.post("/book/home-visit/confirm", data={
        **DETAILS, "start": "2020-01-01T01:00:00+00:00", "csrf_token": token})
    assert response.status_code == 422
    assert "already past" in response.get_data(as_text=True)


def test_the_api_gives_the_same_reason(app, resident):
    response = resident.post("/api/v1/appointments", json={
        "service_code": "home-visit", "start": "2020-01-01T01:00:00+00:00", **DETAILS})
    body = response.get_json()
    assert response.status_code == 422
    assert "already past" in body["error"]["fields"]["start"]


def test_moving_a_booking_to_a_closed_day_says_so(app, resident):
    from service_desk.base.links import manage_token

    tomorrow = _tomorrow(app)
    _close(app, tomorrow + dt.timedelta(days=2))
    _fill(app, local_at(tomorrow, 15, 0))  # 13900000000's booking, moved below
    with app.app_context():
        token = manage_token(
            db.session.scalar(db.select(ServiceRequest.reference)), "13900000000")
    csrf = csrf_from(resident.get("/my-booking").get_data(as_text=True))
    response = resident.post(f"/my-booking/{token}/reschedule", data={
        "start": local_at(tomorrow + dt.timedelta(days=2), 10, 0).isoformat(),
        "csrf_token": csrf})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "closed on that day" in html
    assert "Your booking now" in html  # still the move flow, with the booking shown
