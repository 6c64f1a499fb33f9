"""Check-in at the hall: staff scan or type a reference (any spacing, any case, a scanner's
Enter) and mark the booking arrived in one step; everything else is a clear sentence, never a
500 and never another unit's booking."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service_desk.base.calendar import today
from service_desk.catalog.models import SpecialGroup
from service_desk.extensions import db
from service_desk.requests.models import RequestStatus
from service_desk.units.models import Unit

from ..factories import PASSWORD, PHONE, add_booking, audits, csrf_from, events_of, login, user_id
from ..factories import local_at as _at
from ..factories import stored_request as stored


@pytest.fixture
def client(app):
    client = app.test_client()
    client.set_cookie("lang", "en")  # messages are asserted in English
    return client


@pytest.fixture(scope="module")
def password_hash(app):
    from service_desk.accounts.services import hash_password

    with app.app_context():
        return hash_password(PASSWORD)


@pytest.fixture
def people(app, seeded, password_hash):
    from service_desk.accounts.models import Role, User

    with app.app_context():
        units = {code: id_ for code, id_ in db.session.execute(select(Unit.code, Unit.id))}
        for username, role, unit in (("centre", Role.STAFF, "gov-service-centre"),
                                     ("approval", Role.STAFF, "approval-bureau"),
                                     ("boss", Role.SUPERVISOR, None),
                                     ("operator", Role.OPERATOR, None),
                                     ("root", Role.ADMIN, None)):
            db.session.add(User(username=username, password_hash=password_hash, role=role,
                                unit_id=units.get(unit)))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def staff(client, people):
    login(client, "centre")
    return client


@pytest.fixture
def day(app):
    with app.app_context():
        return today()


def arrive(client, reference: str, typed: str | None = None):
    """Look the booking up as typed, then press the one button."""
    page = client.get("/schedule/checkin", query_string={"ref": typed or reference})
    html = page.get_data(as_text=True)
    return client.post(f"/schedule/checkin/{reference}",
                       data={"csrf_token": csrf_from(html), "version": "1"})


def test_the_day_links_to_check_in_whose_input_has_the_focus(staff):
    assert 'href="/schedule/checkin"' in staff.get("/schedule").get_data(as_text=True)
    html = staff.get("/schedule/checkin").get_data(as_text=True)
    assert 'id="ref"' in html and "autofocus" in html and 'method="get"' in html


@pytest.mark.parametrize("typed", ["HALL2222", "hall 2222", " hall-2222 ", "Hall\t2222"])
def test_a_typed_or_scanned_reference_finds_todays_booking(app, staff, day, typed):
    add_booking(app, reference="HALL2222", start=_at(day, 10), name="李建国",
                group=SpecialGroup.ELDERLY, needs="需要轮椅")
    response = staff.get("/schedule/checkin", query_string={"ref": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "李建国" in html and "138****5678" in html and PHONE not in html
    assert "需要轮椅" in html and 'id="arrive"' in html
    assert 'action="/schedule/checkin/HALL2222"' in html


def test_one_button_marks_it_arrived_with_history_and_audit(app, staff, day):
    add_booking(app, reference="HALL2222", start=_at(day, 10), name="李建国")
    response = arrive(staff, "HALL2222", typed="hall 2222")
    assert response.status_code == 302 and response.headers["Location"].endswith("/schedule/checkin")
    assert stored(app, "HALL2222").status is RequestStatus.ARRIVED
    [event] = events_of(app, "HALL2222")
    assert event.action == "arrived" and event.actor_id == user_id(app, "centre")
    [audit] = audits(app, "appointment.arrive")
    assert audit.object_id == "HALL2222" and audit.actor_label == "centre"
    html = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "Checked in: 李建国, booking HALL 2222, is marked arrived." in html
    assert "autofocus" in html  # ready for the next scan


def test_an_admin_checks_in_any_units_booking(app, people, client, day):
    add_booking(app, reference="HALL2222", start=_at(day, 10))
    login(client, "root")
    assert arrive(client, "HALL2222").status_code == 302
    assert stored(app, "HALL2222").status is RequestStatus.ARRIVED


def test_an_unknown_reference_says_so(staff):
    response = staff.get("/schedule/checkin", query_string={"ref": "ZZZZ 9999"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "has the reference ZZZZ 9999" in html and 'aria-invalid="true"' in html


def test_another_units_booking_reads_like_an_unknown_one(app, people, client, day):
    add_booking(app, reference="HALL2222", start=_at(day, 10), name="李建国")
    login(client, "approval")
    response = client.get("/schedule/checkin", query_string={"ref": "HALL2222"})
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "has the reference HALL 2222" in html
    assert "李建国" not in html and "138****5678" not in html and 'id="arrive"' not in html
    page = client.get("/schedule/checkin").get_data(as_text=True)
    refused = client.post("/schedule/checkin/HALL2222",
                          data={"csrf_token": csrf_from(page), "version": "1"})
    assert refused.status_code == 404 and "李建国" not in refused.get_data(as_text=True)
    assert stored(app, "HALL2222").status is RequestStatus.BOOKED


@pytest.mark.parametrize("status, words", [
    (RequestStatus.CANCELLED, "This booking was cancelled"),
    (RequestStatus.ARRIVED, "Already checked in"),
    (RequestStatus.COMPLETED, "already closed"),
    (RequestStatus.NO_SHOW, "already closed"),
])
def test_a_booking_not_waiting_says_why_and_offers_no_button(app, staff, day, status, words):
    add_booking(app, reference="HALL2222", start=_at(day, 10), status=status)
    response = staff.get("/schedule/checkin", query_string={"ref": "HALL2222"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and words in html and 'id="arrive"' not in html


@pytest.mark.parametrize("days", [1, -1])
def test_a_booking_of_another_day_is_not_checked_in(app, staff, day, days):
    add_booking(app, reference="HALL2222", start=_at(day + dt.timedelta(days=days), 10))
    html = staff.get("/schedule/checkin", query_string={"ref": "HALL2222"}).get_data(as_text=True)
    assert "not today" in html and 'id="arrive"' not in html
    page = staff.get("/schedule/checkin").get_data(as_text=True)
    response = staff.post("/schedule/checkin/HALL2222",
                          data={"csrf_token": csrf_from(page), "version": "1"})
    assert response.status_code == 409 and "not today" in response.get_data(as_text=True)
    assert stored(app, "HALL2222").status is RequestStatus.BOOKED


def test_a_home_visit_is_not_checked_in_at_the_hall(app, staff, day):
    add_booking(app, service="home-visit", reference="HOME3333", start=_at(day, 10),
                address="海景小区")
    html = staff.get("/schedule/checkin", query_string={"ref": "HOME3333"}).get_data(as_text=True)
    assert "home visit" in html and 'id="arrive"' not in html


def test_a_second_press_or_a_stale_form_changes_nothing(app, staff, day):
    add_booking(app, reference="HALL2222", start=_at(day, 10))
    page = staff.get("/schedule/checkin", query_string={"ref": "HALL2222"}).get_data(as_text=True)
    token = csrf_from(page)
    first = staff.post("/schedule/checkin/HALL2222", data={"csrf_token": token, "version": "1"})
    again = staff.post("/schedule/checkin/HALL2222", data={"csrf_token": token, "version": "1"})
    assert first.status_code == 302 and again.status_code == 409
    assert "Already checked in" in again.get_data(as_text=True)
    assert len(events_of(app, "HALL2222")) == 1


def test_a_stale_version_is_refused(app, staff, day):
    add_booking(app, reference="HALL2222", start=_at(day, 10))
    page = staff.get("/schedule/checkin", query_string={"ref": "HALL2222"}).get_data(as_text=True)
    response = staff.post("/schedule/checkin/HALL2222",
                          data={"csrf_token": csrf_from(page), "version": "7"})
    assert response.status_code == 409 and "changed meanwhile" in response.get_data(as_text=True)
    assert stored(app, "HALL2222").status is RequestStatus.BOOKED


def test_without_the_csrf_token_nothing_happens(app, staff, day):
    add_booking(app, reference="HALL2222", start=_at(day, 10))
    response = staff.post("/schedule/checkin/HALL2222", data={"version": "1"})
    assert response.status_code == 400
    assert stored(app, "HALL2222").status is RequestStatus.BOOKED


@pytest.mark.parametrize("typed", ["", "   ", "-- --", "x" * 5000, "\u00e9\u00e9", "HALL2222\x00",
                                   "<script>", "%%%%"])
def test_odd_input_is_never_a_server_error(staff, typed):
    response = staff.get("/schedule/checkin", query_string={"ref": typed})
    assert response.status_code in (200, 400, 404, 422)
    assert "<script>" not in response.get_data(as_text=True)


@pytest.mark.parametrize("who, code", [("boss", 403), ("operator", 403)])
def test_who_may_not_check_in(app, people, client, who, code):
    login(client, who)
    assert client.get("/schedule/checkin").status_code == code


def test_anonymous_is_sent_to_sign_in(client, people):
    response = client.get("/schedule/checkin")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_camera_is_an_enhancement_allowed_on_this_page_only(staff):
    response = staff.get("/schedule/checkin")
    html = response.get_data(as_text=True)
    assert 'id="camera-scan" hidden' in html and "/static/js/scan-reference.js" in html
    assert response.headers["Permissions-Policy"].startswith("camera=(self)")
    assert "camera=()" in staff.get("/schedule").headers["Permissions-Policy"]
    script = staff.get("/static/js/scan-reference.js")
    assert script.status_code == 200 and b"BarcodeDetector" in script.data
