"""The unit schedule: staff see their unit's day and week, assign home visits and record
arrived, completed, no-show and cancelled; phones stay masked; stale and illegal changes fail."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service_desk.accounts.models import User
from service_desk.catalog.models import Channel, Service, Slot, SpecialGroup
from service_desk.extensions import db
from service_desk.requests.models import RequestStatus, ServiceRequest
from service_desk.units.models import Unit

from ..factories import (
    DAY,
    PASSWORD,
    PHONE,
    SHANGHAI,
    add_booking,
    audits,
    csrf_from,
    events_of,
    login,
    open_every_day,
    user_id,
)
from ..factories import local_at as _at
from ..factories import stored_request as stored


def post_status(client, reference, **data):
    page = client.get(f"/schedule/{reference}").get_data(as_text=True)
    return client.post(f"/schedule/{reference}/status",
                       data={"csrf_token": csrf_from(page), **data})


def post_assign(client, reference, **data):
    page = client.get(f"/schedule/{reference}").get_data(as_text=True)
    return client.post(f"/schedule/{reference}/assign",
                       data={"csrf_token": csrf_from(page), **data})


@pytest.fixture
def client(app):
    client = app.test_client()
    client.set_cookie("lang", "en")  # messages are asserted in English
    return client


@pytest.fixture(scope="module")
def password_hash(app):
    from service_desk.accounts.services import hash_password

    with app.app_context():  # the hashing method is a setting of the app
        return hash_password(PASSWORD)  # once: scrypt is slow on purpose


@pytest.fixture
def people(app, seeded, password_hash):
    """Two staff of the service centre, one of the approval bureau, one of each other role."""
    from service_desk.accounts.models import Role

    with app.app_context():
        units = {code: id_ for code, id_ in db.session.execute(select(Unit.code, Unit.id))}
        for username, role, unit in (("centre", Role.STAFF, "gov-service-centre"),
                                     ("colleague", Role.STAFF, "gov-service-centre"),
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


# ---- the day view -------------------------------------------------------------------------

def test_the_day_shows_needs_masked_phone_and_group_with_home_visits_apart(app, staff):
    add_booking(app, reference="HALL2222", start=_at(DAY, 9), needs="需要轮椅通道",
                group=SpecialGroup.DISABLED, name="李建国")
    add_booking(app, service="home-visit", reference="HOME3333", start=_at(DAY, 14),
                needs="卧床老人,需上门办理养老认证", group=SpecialGroup.ELDERLY,
                address="凤林街道海景小区 3 号楼 201", phone="13998765432")
    add_booking(app, reference="NEXT4444", start=_at(DAY + dt.timedelta(days=1), 9),
                name="明天的人")
    response = staff.get(f"/schedule?day={DAY.isoformat()}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "需要轮椅通道" in html and "卧床老人,需上门办理养老认证" in html
    assert "138****5678" in html and "139****5432" in html
    assert PHONE not in html and "13998765432" not in html  # never the full number in a list
    assert "Person with a disability" in html and "Elderly resident" in html
    assert "凤林街道海景小区 3 号楼 201" in html
    assert "09:00–09:30" in html and "14:00–14:30" in html
    hall, home = html.split('id="home-heading"')
    assert "HALL2222" in hall and "HOME3333" not in hall
    assert "HOME3333" in home and "HALL2222" not in home
    assert "明天的人" not in html  # another day
    assert "Not assigned yet" in home
    assert "2 bookings: 1 in the service hall, 1 home visits." in html


def test_the_day_defaults_to_today_in_shanghai_and_orders_by_time(app, staff):
    with app.app_context():
        from service_desk.base.calendar import today

        local_today = today()
    add_booking(app, reference="LATER222", start=_at(local_today, 15), name="下午的人")
    add_booking(app, reference="EARLY222", start=_at(local_today, 0, 30), name="清早的人")
    html = staff.get("/schedule").get_data(as_text=True)
    assert html.index("清早的人") < html.index("下午的人")
    assert 'aria-current="page">Today' in html


def test_a_bad_day_shows_an_error_and_today(app, staff):
    response = staff.get("/schedule?day=2026-02-30")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Error:" in html and "Showing today instead." in html


def test_staff_of_another_unit_see_none_of_these_bookings(app, people, client):
    add_booking(app, reference="HALL2222", start=_at(DAY, 9), needs="需要轮椅通道")
    login(client, "approval")
    for url in (f"/schedule?day={DAY}", f"/schedule?day={DAY}&unit=gov-service-centre"):
        html = client.get(url).get_data(as_text=True)
        assert "HALL2222" not in html and "需要轮椅通道" not in html
        assert "0 bookings" in html
    assert client.get("/schedule/HALL2222").status_code == 403
    week = client.get(f"/schedule/week?start={DAY}&unit=gov-service-centre").get_data(as_text=True)
    assert "0 bookings this week." in week


def test_supervisors_choose_the_unit_and_cannot_act(app, people, client):
    add_booking(app, reference="HALL2222", start=_at(DAY, 9))
    add_booking(app, service="sign-language", reference="SIGN2222", start=_at(DAY, 10))
    login(client, "boss")
    html = client.get(f"/schedule?day={DAY}&unit=gov-service-centre").get_data(as_text=True)
    assert "HALL2222" in html and "SIGN2222" not in html
    assert '<select class="input" id="unit" name="unit">' in html
    html = client.get(f"/schedule?day={DAY}&unit=approval-bureau").get_data(as_text=True)
    assert "SIGN2222" in html and "HALL2222" not in html
    assert "Mark arrived" not in html  # supervisors watch; the unit's staff act
    assert client.get(f"/schedule?day={DAY}&unit=no-such-unit").status_code == 404
    page = client.get("/schedule/HALL2222")
    assert page.status_code == 200 and "Record what happened" not in page.get_data(as_text=True)
    response = client.post("/schedule/HALL2222/status", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "status": "arrived", "version": "1"})
    assert response.status_code == 403
    assert stored(app, "HALL2222").status is RequestStatus.BOOKED


@pytest.mark.parametrize("url", ["/schedule", "/schedule/week", "/schedule/HALL2222"])
def test_operators_are_refused_and_anonymous_sent_to_sign_in(app, people, client, url):
    add_booking(app, reference="HALL2222", start=_at(DAY, 9))
    assert client.get(url).status_code == 302
    login(client, "operator")
    assert client.get(url).status_code == 403


def test_operators_cannot_post_changes(app, people, client):
    add_booking(app, reference="HALL2222", start=_at(DAY, 9))
    login(client, "operator")
    token = csrf_from(client.get("/").get_data(as_text=True))
    for path, data in (("status", {"status": "arrived", "version": "1"}),
                       ("assign", {"assignee": str(user_id(app, "centre")), "version": "1"})):
        assert client.post(f"/schedule/HALL2222/{path}",
                           data={"csrf_token": token, **data}).status_code == 403
    item = stored(app, "HALL2222")
    assert item.status is RequestStatus.BOOKED and item.version == 1


def test_the_day_statement_count_is_fixed_for_2_and_30_bookings(app, staff, count_queries):
    url = f"/schedule?day={DAY}"

    def measure() -> int:
        staff.get(url)
        with count_queries() as statements:
            staff.get(url)
        return len(statements)

    for i in range(2):
        add_booking(app, service="home-visit", reference=f"A{i:07d}", start=_at(DAY, 9, i),
                    address="某小区", assignee="colleague")
    few = measure()
    for i in range(28):
        service = "home-visit" if i % 2 else "appointment"
        add_booking(app, service=service, reference=f"B{i:07d}", start=_at(DAY, 10, i),
                    address="某小区", assignee="centre" if i % 3 else None)
    assert measure() == few
    assert few <= 7  # user, the day's counts, the page of bookings, the unit's staff, units…


def test_a_busy_day_comes_in_pages_by_time_with_the_day_s_counts(app, staff, count_queries):
    """A busy hall's day is hundreds of bookings, each a card with its forms: 50 a page
    (1,307 on one page measured 391 ms and a megabyte, issue 13)."""
    for i in range(55):
        add_booking(app, reference=f"H{i:07d}", start=_at(DAY, 8 + i // 6, (i % 6) * 10),
                    name=f"大厅{i:02d}")
    for i in range(5):
        add_booking(app, service="home-visit", reference=f"V{i:07d}", start=_at(DAY, 20, i),
                    address="凤林街道某小区 3 号楼", name=f"上门{i}")
    first = staff.get(f"/schedule?day={DAY}").get_data(as_text=True)
    assert "60 bookings: 55 in the service hall, 5 home visits." in first
    assert "Page 1 of 2, by time." in first
    assert first.count('class="matter-card booking-card') == 50
    assert "大厅00" in first and "大厅49" in first and "大厅50" not in first
    _, home = first.split('id="home-heading"')
    assert "(5)" in home and "None at the times on this page." in home
    assert f'rel="next" href="/schedule?day={DAY}&amp;page=2"' in first
    with count_queries() as statements:
        second = staff.get(f"/schedule?day={DAY}&page=2").get_data(as_text=True)
    assert second.count('class="matter-card booking-card') == 10
    assert "大厅50" in second and "大厅54" in second and "上门4" in second
    assert "大厅49" not in second and 'rel="prev"' in second
    assert len(statements) <= 7
    past_the_end = staff.get(f"/schedule?day={DAY}&page=99").get_data(as_text=True)
    assert "Page 2 of 2, by time." in past_the_end  # the last page, not an empty one


# ---- assigning home visits ----------------------------------------------------------------

def test_a_home_visit_is_assigned_to_staff_of_the_same_unit(app, staff):
    add_booking(app, service="home-visit", reference="HOME3333", start=_at(DAY, 14),
                address="海景小区")
    colleague = user_id(app, "colleague")
    response = post_assign(staff, "HOME3333", assignee=str(colleague), version="1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/schedule?day={DAY}")
    html = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "is assigned to colleague" in html
    item = stored(app, "HOME3333")
    assert item.assignee_id == colleague and item.version == 2
    event = events_of(app, "HOME3333")[-1]
    assert (event.action, event.note, event.actor_id) == ("assigned", "colleague",
                                                          user_id(app, "centre"))
    audit = audits(app, "appointment.assign")
    assert len(audit) == 1 and audit[0].object_id == "HOME3333"
    assert audit[0].after == {"assignee_id": colleague, "assignee": "colleague"}


@pytest.mark.parametrize("who", ["approval", "boss", "nobody"])
def test_assigning_to_anyone_outside_the_unit_is_refused(app, staff, who):
    add_booking(app, service="home-visit", reference="HOME3333", start=_at(DAY, 14),
                address="海景小区")
    target = "999999999" if who == "nobody" else str(user_id(app, who))
    response = post_assign(staff, "HOME3333", assignee=target, version="1")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="assignee-error"' in html
    assert "Choose a staff member of the unit that holds this booking." in html
    item = stored(app, "HOME3333")
    assert item.assignee_id is None and item.version == 1
    assert events_of(app, "HOME3333") == [] and audits(app, "appointment.assign") == []


def test_a_hall_appointment_is_not_assigned(app, staff):
    add_booking(app, reference="HALL2222", start=_at(DAY, 9))
    response = post_assign(staff, "HALL2222", assignee=str(user_id(app, "colleague")), version="1")
    assert response.status_code == 422
    assert "Only home visits are assigned" in response.get_data(as_text=True)
    assert stored(app, "HALL2222").assignee_id is None


def test_an_assign_without_a_choice_says_so(app, staff):
    add_booking(app, service="home-visit", reference="HOME3333", start=_at(DAY, 14),
                address="海景小区")
    response = post_assign(staff, "HOME3333", assignee="", version="1")
    assert response.status_code == 422
    assert "Choose a staff member." in response.get_data(as_text=True)


# ---- status changes -----------------------------------------------------------------------

@pytest.mark.parametrize("service,before,after,note,audit_action", [
    ("appointment", RequestStatus.BOOKED, RequestStatus.ARRIVED, "", "appointment.arrive"),
    ("appointment", RequestStatus.ARRIVED, RequestStatus.COMPLETED, "办结", "appointment.complete"),
    ("appointment", RequestStatus.BOOKED, RequestStatus.NO_SHOW, "电话未接,未到场",
     "appointment.no_show"),
    ("home-visit", RequestStatus.BOOKED, RequestStatus.COMPLETED, "上门办结",
     "appointment.complete"),
    ("home-visit", RequestStatus.BOOKED, RequestStatus.ARRIVED, "", "appointment.arrive"),
])
def test_each_change_is_stored_with_an_event_and_an_audit_record(app, staff, service, before,
                                                                 after, note, audit_action):
    add_booking(app, service=service, reference="REF22222", start=_at(DAY, 10), status=before,
                address="海景小区")
    response = post_status(staff, "REF22222", status=after.value, note=note, version="1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/schedule?day={DAY}")
    item = stored(app, "REF22222")
    assert item.status is after and item.version == 2
    assert (item.resolved_at is not None) == (after is RequestStatus.COMPLETED)
    [event] = events_of(app, "REF22222")
    assert event.action == after.value and event.status_after is after
    assert event.note == (note or None) and event.actor_id == user_id(app, "centre")
    [audit] = audits(app, audit_action)
    assert audit.object_id == "REF22222" and audit.actor_label == "centre"
    assert audit.before == {"status": before.value}
    assert audit.after == {"status": after.value, "note": note or None}


def test_marking_arrived_from_the_day_view_needs_one_button(app, staff):
    add_booking(app, reference="HALL2222", start=_at(DAY, 9))
    html = staff.get(f"/schedule?day={DAY}").get_data(as_text=True)
    assert "Mark arrived" in html and "Mark completed" not in html  # hall: arrive first
    response = staff.post("/schedule/HALL2222/status", data={
        "csrf_token": csrf_from(html), "status": "arrived", "version": "1"})
    assert response.status_code == 302
    html = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "Booking HALL2222: Arrived." in html
    assert "Mark completed" in html  # the next step is offered


def test_an_admin_may_act_and_returns_to_the_unit_viewed(app, people, client):
    add_booking(app, reference="HALL2222", start=_at(DAY, 9))
    login(client, "root")
    response = post_status(client, "HALL2222", status="arrived", version="1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/schedule?day={DAY}&unit=gov-service-centre")
    assert stored(app, "HALL2222").status is RequestStatus.ARRIVED


@pytest.mark.parametrize("service,before,wanted", [
    ("appointment", RequestStatus.BOOKED, RequestStatus.COMPLETED),  # hall: arrive first
    ("appointment", RequestStatus.ARRIVED, RequestStatus.NO_SHOW),
    ("appointment", RequestStatus.ARRIVED, RequestStatus.CANCELLED),
    ("appointment", RequestStatus.COMPLETED, RequestStatus.ARRIVED),
    ("appointment", RequestStatus.NO_SHOW, RequestStatus.ARRIVED),
    ("home-visit", RequestStatus.CANCELLED, RequestStatus.COMPLETED),
    ("home-visit", RequestStatus.COMPLETED, RequestStatus.CANCELLED),
])
def test_illegal_changes_are_refused_and_nothing_is_stored(app, staff, service, before, wanted):
    add_booking(app, service=service, reference="REF22222", start=_at(DAY, 10), status=before,
                address="海景小区")
    response = post_status(staff, "REF22222", status=wanted.value, note="说明", version="1")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Error:" in html and "cannot be marked that way" in html
    if before in (RequestStatus.BOOKED, RequestStatus.ARRIVED):
        assert 'id="status-error"' in html  # the form is still offered, the error at its field
    item = stored(app, "REF22222")
    assert item.status is before and item.version == 1
    assert events_of(app, "REF22222") == []


@pytest.mark.parametrize("value", ["flying", "booked", ""])
def test_an_unknown_status_is_a_field_error(app, staff, value):
    add_booking(app, reference="REF22222", start=_at(DAY, 10))
    response = post_status(staff, "REF22222", status=value, note="x", version="1")
    assert response.status_code == 422
    assert 'id="status-error"' in response.get_data(as_text=True)
    assert stored(app, "REF22222").status is RequestStatus.BOOKED


@pytest.mark.parametrize("status", ["no_show", "cancelled"])
def test_a_no_show_or_cancellation_needs_a_note(app, staff, status):
    add_booking(app, reference="REF22222", start=_at(DAY, 10))
    response = post_status(staff, "REF22222", status=status, note="   ", version="1")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="note-error"' in html and "a note is required" in html
    item = stored(app, "REF22222")
    assert item.status is RequestStatus.BOOKED and item.version == 1
    assert events_of(app, "REF22222") == []


def test_a_stale_form_changes_nothing_and_says_so(app, staff):
    add_booking(app, reference="REF22222", start=_at(DAY, 10))
    assert post_status(staff, "REF22222", status="arrived", version="1").status_code == 302
    # a colleague's page still says version 1
    response = post_status(staff, "REF22222", status="no_show", note="没来", version="1")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "This booking changed meanwhile" in html
    assert "没来" in html  # the note typed is kept
    item = stored(app, "REF22222")
    assert item.status is RequestStatus.ARRIVED and item.version == 2
    assert [e.action for e in events_of(app, "REF22222")] == ["arrived"]
    assert audits(app, "appointment.no_show") == []


def test_a_stale_assign_changes_nothing(app, staff):
    add_booking(app, service="home-visit", reference="HOME3333", start=_at(DAY, 14),
                address="海景小区")
    assert post_assign(staff, "HOME3333", assignee=str(user_id(app, "colleague")),
                       version="1").status_code == 302
    response = post_assign(staff, "HOME3333", assignee=str(user_id(app, "centre")), version="1")
    assert response.status_code == 409
    assert stored(app, "HOME3333").assignee_id == user_id(app, "colleague")


def test_a_race_caught_at_flush_is_refused_too(app, staff, monkeypatch):
    """The version read at load time can be overtaken before the UPDATE: StaleDataError."""
    add_booking(app, reference="REF22222", start=_at(DAY, 10))
    from sqlalchemy import update

    from service_desk.requests import appointments as services

    original = services.booking_mark

    def racing(**kwargs):
        db.session.execute(update(ServiceRequest).where(ServiceRequest.reference == "REF22222")
                           .values(version=ServiceRequest.version + 1)
                           .execution_options(synchronize_session=False))
        return original(**kwargs)

    monkeypatch.setattr("service_desk.schedule.routes.booking_mark", racing)
    response = post_status(staff, "REF22222", status="arrived", version="1")
    assert response.status_code == 409
    item = stored(app, "REF22222")
    assert item.status is RequestStatus.BOOKED and item.version == 1


# ---- cancelling frees the slot ------------------------------------------------------------

@pytest.fixture
def bookable(app, seeded):
    """The "appointment" service open every day, 09:00-12:00 and 13:30-17:00, 2 per slot."""
    open_every_day(app, capacity=2, ahead=30)


def test_cancelling_frees_the_place_in_the_slot(app, people, bookable, client):
    from service_desk.base.calendar import today
    from service_desk.db import utcnow
    from service_desk.requests.appointments import appointment_book
    from service_desk.requests.availability import free_slots
    from service_desk.requests.residents import Resident

    with app.test_request_context():
        service = db.session.scalar(select(Service).where(Service.code == "appointment"))
        first = today() + dt.timedelta(days=1)
        slot = free_slots(service, first=first, last=first + dt.timedelta(days=20),
                          now=utcnow())[0]
        item = appointment_book(service=service, start=slot.start, channel=Channel.PHONE,
                                resident=Resident(name="张三", phone=PHONE, needs="带老花镜",
                                                  group=SpecialGroup.ELDERLY))
        reference = item.reference
        db.session.commit()
        slot_day = slot.start.astimezone(SHANGHAI).date()
        db.session.remove()

    def booked() -> int:
        with app.app_context():
            return db.session.scalar(select(Slot.booked).join(
                ServiceRequest, ServiceRequest.slot_id == Slot.id)
                .where(ServiceRequest.reference == reference))

    assert booked() == 1
    login(client, "centre")
    assert reference in client.get(f"/schedule?day={slot_day}").get_data(as_text=True)
    response = post_status(client, reference, status="cancelled", note="居民来电取消",
                           version=str(stored(app, reference).version))
    assert response.status_code == 302
    assert booked() == 0
    item = stored(app, reference)
    assert item.status is RequestStatus.CANCELLED
    assert [e.action for e in events_of(app, reference)] == ["booked", "cancelled"]
    assert events_of(app, reference)[-1].note == "居民来电取消"
    assert events_of(app, reference)[-1].actor_id == user_id(app, "centre")
    [audit] = audits(app, "appointment.cancel")
    assert audit.actor_label == "centre" and audit.after == {"note": "居民来电取消"}


# ---- the full phone number ----------------------------------------------------------------

def test_the_full_number_shows_only_on_request_and_each_view_is_audited(app, staff):
    add_booking(app, service="home-visit", reference="HOME3333", start=_at(DAY, 14),
                address="海景小区")
    page = staff.get("/schedule/HOME3333")
    html = page.get_data(as_text=True)
    assert PHONE not in html and "138****5678" in html
    assert audits(app, "request.phone_view") == []
    for _ in range(2):
        response = staff.post("/schedule/HOME3333/phone", data={"csrf_token": csrf_from(html)})
        assert response.status_code == 200 and PHONE in response.get_data(as_text=True)
        assert response.headers["Cache-Control"] == "no-store"
    views = audits(app, "request.phone_view")
    assert len(views) == 2 and {v.actor_label for v in views} == {"centre"}


# ---- the week -----------------------------------------------------------------------------

def test_the_week_counts_bookings_per_day_and_status(app, staff, count_queries):
    monday = DAY
    add_booking(app, reference="W0000001", start=_at(monday, 0, 0))  # first minute, local
    add_booking(app, reference="W0000002", start=_at(monday, 23, 59),
                status=RequestStatus.ARRIVED)
    add_booking(app, reference="W0000003", start=_at(monday + dt.timedelta(days=2), 9),
                status=RequestStatus.CANCELLED)
    add_booking(app, service="home-visit", reference="W0000004", address="x",
                start=_at(monday + dt.timedelta(days=2), 10), status=RequestStatus.COMPLETED)
    add_booking(app, reference="W0000005", start=_at(monday + dt.timedelta(days=6), 23, 30),
                status=RequestStatus.NO_SHOW)
    # outside: the Sunday before, the Monday after, another unit's service
    add_booking(app, reference="W0000006", start=_at(monday - dt.timedelta(days=1), 23, 59))
    add_booking(app, reference="W0000007", start=_at(monday + dt.timedelta(days=7), 0, 0))
    add_booking(app, service="sign-language", reference="W0000008", start=_at(monday, 10))
    with count_queries() as statements:
        response = staff.get(f"/schedule/week?start={monday + dt.timedelta(days=3)}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "5 bookings this week." in html
    with app.test_request_context():
        from service_desk.schedule.queries import week_counts

        unit = db.session.scalar(select(Unit).where(Unit.code == "gov-service-centre"))
        week = week_counts(unit=unit, start=monday)
    table = {d.day: {s.value: n for s, n in d.counts.items() if n} for d in week.days}
    assert table == {
        monday: {"booked": 1, "arrived": 1},
        monday + dt.timedelta(days=1): {},
        monday + dt.timedelta(days=2): {"cancelled": 1, "completed": 1},
        monday + dt.timedelta(days=3): {},
        monday + dt.timedelta(days=4): {},
        monday + dt.timedelta(days=5): {},
        monday + dt.timedelta(days=6): {"no_show": 1},
    }
    # each day links to its day view; a mid-week start shows its Monday's week
    assert f'href="/schedule?day={monday}"' in html
    assert f'href="/schedule?day={monday + dt.timedelta(days=6)}"' in html
    assert f'/schedule/week?start={monday - dt.timedelta(days=7)}' in html
    grouped = [s for s in statements if "GROUP BY" in s.upper()]
    assert len(grouped) == 1 and "service_requests" in grouped[0]


def test_the_week_link_from_the_day_opens_its_monday(app, staff):
    wednesday = DAY + dt.timedelta(days=2)
    html = staff.get(f"/schedule?day={wednesday}").get_data(as_text=True)
    assert f'href="/schedule/week?start={DAY}"' in html
    assert f'href="/schedule?day={wednesday - dt.timedelta(days=1)}"' in html
    assert f'href="/schedule?day={wednesday + dt.timedelta(days=1)}"' in html


def test_the_nav_links_staff_to_their_schedule(app, staff):
    html = staff.get("/matters/").get_data(as_text=True)
    assert 'href="/schedule"' in html


def test_elder_mode_keeps_one_task_per_screen(app, staff):
    add_booking(app, service="home-visit", reference="HOME3333", start=_at(DAY, 14),
                address="海景小区", needs="卧床老人")
    staff.set_cookie("elder", "1")
    html = staff.get(f"/schedule?day={DAY}").get_data(as_text=True)
    assert "卧床老人" in html and "138****5678" in html
    assert "Mark arrived" not in html and 'name="assignee"' not in html
    assert 'class="booking-open button" href="/schedule/HOME3333"' in html
    booking = staff.get("/schedule/HOME3333").get_data(as_text=True)
    assert "Record what happened" in booking and "Assign this home visit" in booking


def test_the_work_page_says_when_today_has_more_than_a_page(app, staff):
    with app.app_context():
        from service_desk.base.calendar import today

        local_today = today()
    for i in range(52):
        add_booking(app, reference=f"W{i:07d}", start=_at(local_today, 8 + i // 6, (i % 6) * 10))
    html = staff.get("/work").get_data(as_text=True)
    assert "The first 50 of 52: the rest are on the schedule's next pages." in html
    assert 'href="/schedule?page=2"' in html
