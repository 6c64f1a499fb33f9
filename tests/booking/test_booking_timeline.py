"""My booking shows where the booking stands as an ordered list in words: booked → arrived
(visited) → finished → rated, each step reached with its local time; a cancelled or missed
booking says so and ends there."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service_desk.accounts.models import User
from service_desk.base.links import manage_token
from service_desk.catalog.models import Channel, SpecialGroup
from service_desk.extensions import db
from service_desk.ratings.models import RatingSource
from service_desk.ratings.services import rating_give
from service_desk.requests.appointments import appointment_book, appointment_cancel, booking_mark
from service_desk.requests.models import RequestStatus, ServiceRequest
from service_desk.requests.residents import Resident

from ..factories import PHONE, free_times, open_for_booking, service_by_code


@pytest.fixture
def resident(app, client, seeded, make_user):
    open_for_booking(app)
    make_user("staff", unit="gov-service-centre", username="centre")
    client.set_cookie("lang", "en")
    return client


def _book(app, code: str) -> str:
    slot = free_times(app, code, 1)[0]
    with app.app_context():
        item = appointment_book(service=service_by_code(code), start=slot.start,
                                channel=Channel.WEB,
                                resident=Resident(name="王芳", phone=PHONE,
                                                  address="海峰路 8 号 3 单元 201 室",
                                                  group=SpecialGroup.ELDERLY))
        db.session.commit()
        return item.reference


def _change(app, reference: str, *steps) -> None:
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == reference))
        service = service_by_code("home-visit" if item.address else "appointment")
        staff = db.session.scalar(select(User).where(User.username == "centre"))
        for step in steps:
            if step == "rated":
                rating_give(request=item, level=5, comment=None, source=RatingSource.BOOKING_PAGE)
            elif step == "cancelled_by_resident":
                appointment_cancel(request=item, service=service, note="web")
            else:
                booking_mark(request=item, service=service, status=RequestStatus(step),
                             note="没人在家" if step in ("no_show", "cancelled") else None,
                             actor=staff, expected_version=item.version)
            db.session.commit()


def _timeline(client, app, reference: str) -> str:
    with app.app_context():
        token = manage_token(reference, PHONE)
    html = client.get(f"/my-booking/{token}").get_data(as_text=True)
    return html.split('<ol class="timeline"', 1)[1].split("</ol>", 1)[0]


def _steps(timeline: str) -> list[tuple[str, str, bool]]:
    """(key, state, current) of each list item, in order."""
    return [(key, state, "aria-current" in rest) for state, key, rest in re.findall(
        r'<li class="timeline-step is-(\w+)" id="timeline-(\w+)"([^>]*)>', timeline)]


def test_a_new_booking_is_booked_with_its_time_and_the_rest_to_come(app, resident):
    ref = _book(app, "appointment")
    timeline = _timeline(resident, app, ref)
    assert _steps(timeline) == [("booked", "done", True), ("arrived", "upcoming", False),
                                ("completed", "upcoming", False), ("rated", "upcoming", False)]
    assert "You arrived at the service hall" in timeline and "Not reached yet" in timeline
    assert re.search(r'<time datetime="[0-9T:+-]+">[^<]+</time>', timeline)
    assert "." not in re.search(r'datetime="([^"]+)"', timeline).group(1)  # no microseconds


def test_a_finished_and_rated_home_visit_reaches_every_step(app, resident):
    ref = _book(app, "home-visit")
    _change(app, ref, "completed", "rated")  # a home visit may skip "arrived"
    timeline = _timeline(resident, app, ref)
    assert _steps(timeline) == [("booked", "done", False), ("arrived", "done", False),
                                ("completed", "done", False), ("rated", "done", True)]
    assert "Staff came to your home" in timeline and "Not reached yet" not in timeline
    assert timeline.count("<time ") == 4


def test_a_hall_appointment_in_progress_is_at_arrived(app, resident):
    ref = _book(app, "appointment")
    _change(app, ref, "arrived")
    assert [s for s in _steps(_timeline(resident, app, ref)) if s[2]] == [
        ("arrived", "done", True)]


def test_a_missed_booking_says_so_and_ends_there(app, resident):
    ref = _book(app, "appointment")
    _change(app, ref, "no_show")
    timeline = _timeline(resident, app, ref)
    assert _steps(timeline) == [("booked", "done", False), ("no_show", "stopped", True)]
    assert "Missed" in timeline and "did not take place" in timeline


@pytest.mark.parametrize("how,words", [
    ("cancelled_by_resident", "Cancelled at your request."),
    ("cancelled", "Cancelled by the service centre"),
])
def test_a_cancelled_booking_says_who_cancelled_it(app, resident, how, words):
    ref = _book(app, "appointment")
    _change(app, ref, how)
    timeline = _timeline(resident, app, ref)
    assert _steps(timeline) == [("booked", "done", False), ("cancelled", "stopped", True)]
    assert words in timeline
