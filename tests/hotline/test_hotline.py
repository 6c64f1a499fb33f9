"""The hotline console: find a caller's requests, book and report on their behalf, note calls."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from service_desk.catalog.models import Channel
from service_desk.extensions import db
from service_desk.requests.models import CallLog, RequestStatus, ServiceRequest

from ..factories import (
    MASKED,
    PHONE,
    audits,
    csrf_from,
    free_times,
    open_every_day,
    post_form,
    report,
    state,
    user_id,
)
from ..factories import count_rows as count_requests

OTHER = "13987654321"


def post(client, url: str, data: dict):
    return post_form(client, url, data, page_url="/")


def newest_reference(app) -> str:
    with app.app_context():
        return db.session.scalar(select(ServiceRequest.reference)
                                 .order_by(ServiceRequest.id.desc()).limit(1))


@pytest.fixture
def bookable(app, seeded):
    """The "appointment" service open every day, 09:00–12:00 and 13:30–17:00, two per slot;
    returns its first free slot from tomorrow."""
    open_every_day(app, capacity=2, ahead=14)
    return free_times(app, "appointment", 1)[0]


@pytest.mark.parametrize("name,status", [("centre", 403), ("sup", 403), ("op", 200), ("root", 200)])
def test_the_console_is_for_operators_and_admins(app, people, name, status):
    assert people[name].get("/hotline/").status_code == status
    assert people[name].get("/hotline/book").status_code == status
    assert people[name].get("/hotline/report").status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(app, client, seeded):
    response = client.get("/hotline/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_search_shows_only_that_callers_requests_in_full_and_is_audited(app, people):
    mine = [report(app), report(app, service="butler-help-desk")]
    theirs = report(app, phone=OTHER)
    op = people["op"]
    op.set_cookie("lang", "en")
    html = op.get(f"/hotline/?phone={PHONE}").get_data(as_text=True)
    assert all(ref in html for ref in mine) and theirs not in html
    assert html.count('class="caller-request"') == 2
    assert f"Requests from {PHONE}" in html  # typed by the operator: shown in full
    assert OTHER not in html
    assert html.index(mine[1]) < html.index(mine[0])  # newest first
    (search,) = audits(app, "request.phone_search")
    assert search.actor_label == "op" and search.object_id == MASKED
    assert search.after == {"results": 2}


def test_a_bad_number_in_the_search_gets_an_error_and_no_lookup(app, people):
    report(app)
    op = people["op"]
    op.set_cookie("lang", "en")
    html = op.get("/hotline/?phone=12345").get_data(as_text=True)
    assert 'id="phone-error"' in html and "Error:" in html
    assert 'class="caller-request"' not in html
    assert audits(app, "request.phone_search") == []


def test_the_console_search_needs_the_same_statements_for_few_and_many(app, people, count_queries):
    op = people["op"]
    report(app)
    with count_queries() as few:
        assert op.get(f"/hotline/?phone={PHONE}").status_code == 200
    for i in range(12):
        report(app, service="butler-help-desk" if i % 2 else "hotline")
    post(op, "/hotline/calls", {"caller_phone": PHONE, "note": "又来电"})
    with count_queries() as many:
        html = op.get(f"/hotline/?phone={PHONE}").get_data(as_text=True)
    assert html.count('class="caller-request"') == 13
    assert len(many) == len(few)


def _walk_to_details(op, slot, phone=PHONE) -> str:
    """The booking steps: service, day, time; returns the details page."""
    services = op.get(f"/hotline/book?phone={phone}").get_data(as_text=True)
    assert 'name="service" value="appointment"' in services
    local_day = slot.start.astimezone(dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    days = op.get(f"/hotline/book?service=appointment&phone={phone}").get_data(as_text=True)
    assert f'name="day" value="{local_day}"' in days
    times = op.get(f"/hotline/book?service=appointment&day={local_day}&phone={phone}")
    assert f'value="{slot.start.isoformat()}"' in times.get_data(as_text=True)
    details = op.get("/hotline/book", query_string={"service": "appointment",
                                                     "start": slot.start.isoformat(),
                                                     "phone": phone})
    assert details.status_code == 200
    return details.get_data(as_text=True)


def test_an_operator_books_for_the_caller_with_the_phone_channel(app, people, bookable):
    op = people["op"]
    details = _walk_to_details(op, bookable)
    assert f'value="{PHONE}"' in details  # the number searched is carried to the form
    response = op.post("/hotline/book", data={
        "csrf_token": csrf_from(details), "service": "appointment",
        "start": bookable.start.isoformat(), "name": "张阿姨", "phone": PHONE,
        "group": "elderly", "needs": "需要轮椅", "caller": PHONE})
    assert response.status_code == 302
    # back to the console with the caller's requests: the call goes on
    assert response.headers["Location"].startswith(f"/hotline/?phone={PHONE}")
    ref = newest_reference(app)
    got = state(app, ref)
    assert got["status"] is RequestStatus.BOOKED and got["channel"] is Channel.PHONE
    assert got["created_by_id"] == user_id(app, "op")
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == ref))
        assert item.starts_at == bookable.start and item.resident_name == "张阿姨"
        assert item.special_group.value == "elderly" and item.needs == "需要轮椅"
    page = op.get(f"/requests/{ref}").get_data(as_text=True)
    assert ref in page and MASKED in page and PHONE not in page.replace(f"phone={PHONE}", "")
    assert audits(app, "appointment.book")[0].actor_label == "op"


def test_a_booking_with_bad_details_is_refused_and_nothing_is_stored(app, people, bookable):
    op = people["op"]
    op.set_cookie("lang", "en")
    details = _walk_to_details(op, bookable)
    response = op.post("/hotline/book", data={
        "csrf_token": csrf_from(details), "service": "appointment",
        "start": bookable.start.isoformat(), "name": "", "phone": "123"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="name-error"' in html and 'id="phone-error"' in html
    assert count_requests(app) == 0
    # "None of these": a member of the public may book the hall appointment
    no_group = op.post("/hotline/book", data={
        "csrf_token": csrf_from(details), "service": "appointment",
        "start": bookable.start.isoformat(), "name": "张阿姨", "phone": PHONE, "group": ""})
    assert no_group.status_code == 302 and count_requests(app) == 1


def test_a_full_slot_offers_other_times_and_keeps_the_details(app, people, bookable):
    op = people["op"]
    for phone in ("13700000001", "13700000002"):  # capacity 2: fill it
        details = _walk_to_details(op, bookable, phone=phone)
        assert op.post("/hotline/book", data={
            "csrf_token": csrf_from(details), "service": "appointment",
            "start": bookable.start.isoformat(), "name": "甲", "phone": phone,
            "group": "elderly"}).status_code == 302
    details = _walk_to_details(op, bookable)
    response = op.post("/hotline/book", data={
        "csrf_token": csrf_from(details), "service": "appointment",
        "start": bookable.start.isoformat(), "name": "迟到的人", "phone": PHONE,
        "group": "elderly"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'name="start"' in html and 'id="alt-1"' in html and "迟到的人" in html
    assert count_requests(app) == 2


def test_an_operator_reports_a_problem_dispatched_to_a_unit(app, people):
    op = people["op"]
    form = op.get(f"/hotline/report?phone={PHONE}").get_data(as_text=True)
    assert 'name="service" type="radio" value="hotline"' in form and f'value="{PHONE}"' in form
    response = op.post("/hotline/report", data={
        "csrf_token": csrf_from(form), "service": "hotline", "unit": "",
        "request_type": "help",
        "description": "楼道灯坏了三天", "name": "刘先生", "phone": PHONE, "address": "海峰路 8 号"})
    assert response.status_code == 302
    ref = newest_reference(app)
    got = state(app, ref)
    assert got["status"] is RequestStatus.DISPATCHED and got["unit"] == "gov-service-centre"
    assert got["channel"] is Channel.PHONE and got["created_by_id"] == user_id(app, "op")
    assert got["due_at"] is not None
    assert got["events"][0][0] == "dispatched"
    # the operator may choose another unit
    response = post(op, "/hotline/report", {
        "service": "hotline", "unit": "construction-bureau", "description": "路面塌陷",
        "name": "刘先生", "phone": PHONE, "request_type": "complaint"})
    assert response.status_code == 302
    assert state(app, newest_reference(app))["unit"] == "construction-bureau"


@pytest.mark.parametrize("data,field", [
    ({"service": "hotline", "description": "", "name": "刘", "phone": PHONE}, "description"),
    ({"service": "appointment", "description": "x", "name": "刘", "phone": PHONE}, "service"),
    ({"service": "hotline", "description": "x", "name": "", "phone": PHONE}, "name"),
    ({"service": "hotline", "description": "x", "name": "刘", "phone": "555"}, "phone"),
    ({"service": "hotline", "unit": "nowhere", "description": "x", "name": "刘", "phone": PHONE},
     "unit"),
    ({"service": "hotline", "description": "x", "name": "刘", "phone": PHONE,
      "request_type": "angry"}, "request_type"),
])
def test_a_report_with_bad_input_gets_a_field_error_and_stores_nothing(app, people, data, field):
    op = people["op"]
    response = post(op, "/hotline/report", {"request_type": "complaint", **data})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert count_requests(app) == 0


def test_call_notes_are_stored_and_listed_for_their_operator_today(app, people):
    ref = report(app)
    op, op2 = people["op"], people["op2"]
    response = post(op, "/hotline/calls", {"caller_phone": PHONE, "caller_name": "王大爷",
                                           "note": "询问路灯维修进度", "reference": ref.lower()})
    assert response.status_code == 302
    post(op, "/hotline/calls", {"caller_phone": "0631-5201234", "note": "咨询办事时间"})
    with app.app_context():
        calls = db.session.scalars(select(CallLog).order_by(CallLog.id)).all()
        linked = db.session.scalar(select(ServiceRequest.id).where(ServiceRequest.reference == ref))
        assert [(c.caller_phone, c.caller_name, c.note, c.request_id) for c in calls] == [
            (PHONE, "王大爷", "询问路灯维修进度", linked), ("06315201234", None, "咨询办事时间", None)]
        assert {c.operator_id for c in calls} == {user_id(app, "op")}
    assert len(audits(app, "call.note")) == 2
    html = op.get("/hotline/").get_data(as_text=True)
    assert html.count('class="call-note"') == 2
    assert "询问路灯维修进度" in html and ref in html
    notes = html[html.index('id="calls-heading"'):]
    assert MASKED in notes and PHONE not in notes  # a list: masked
    assert 'class="call-note"' not in op2.get("/hotline/").get_data(as_text=True)


@pytest.mark.parametrize("data,field", [
    ({"caller_phone": "abc", "note": "x"}, "call-phone"),
    ({"caller_phone": PHONE, "note": "  "}, "call-note"),
    ({"caller_phone": PHONE, "note": "x", "reference": "ZZZZ9999"}, "call-reference"),
])
def test_a_bad_call_note_is_refused_with_a_message(app, people, data, field):
    op = people["op"]
    response = post(op, "/hotline/calls", data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(CallLog.id))) == 0


def test_operators_find_resolved_requests_to_call_back(app, people):
    ref = report(app)
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == ref))
        item.status = RequestStatus.RESOLVED
        db.session.commit()
    op = people["op"]
    console = op.get("/hotline/").get_data(as_text=True)
    assert "/requests/?status=resolved" in console
    listed = op.get("/requests/?status=resolved").get_data(as_text=True)
    assert ref in listed and PHONE not in listed
    assert re.search(rf'action="/requests/{ref}/callback"', op.get(f"/requests/{ref}").get_data(as_text=True))
