"""A call is one record: what the operator booked and reported for the caller during it, and
the note that ends it. The console keeps the caller's requests in view all along."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from service_desk.extensions import db
from service_desk.requests.models import CallLog, CallRequest, ServiceRequest

from ..factories import (
    PHONE,
    audits,
    csrf_from,
    free_times,
    open_every_day,
    post_form,
)

OTHER = "13987654321"


@pytest.fixture
def op(people):
    client = people["op"]
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def slots(app, seeded):
    open_every_day(app, capacity=2, ahead=14)
    return [s.start for s in free_times(app, "appointment", 2)]


def _book(op, start: dt.datetime, *, phone: str = PHONE, caller: str = PHONE):
    details = op.get("/hotline/book", query_string={
        "service": "appointment", "start": start.isoformat(), "phone": caller})
    html = details.get_data(as_text=True)
    assert f'name="caller" value="{caller}"' in html  # the call's number rides along
    return op.post("/hotline/book", data={
        "csrf_token": csrf_from(html), "service": "appointment", "start": start.isoformat(),
        "name": "张阿姨", "phone": phone, "group": "", "caller": caller})


def _report(op, *, caller: str = PHONE, phone: str = PHONE):
    form = op.get(f"/hotline/report?phone={caller}").get_data(as_text=True)
    assert f'name="caller" value="{caller}"' in form
    return op.post("/hotline/report", data={
        "csrf_token": csrf_from(form), "request_type": "complaint", "service": "hotline",
        "description": "楼道灯坏了", "name": "张阿姨", "phone": phone, "caller": caller})


def _refs(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(ServiceRequest.reference)
                                       .order_by(ServiceRequest.id)))


def _calls(app) -> list[tuple[str, str, list[str], bool]]:
    with app.app_context():
        out = []
        for call in db.session.scalars(select(CallLog).order_by(CallLog.id)):
            refs = list(db.session.scalars(
                select(ServiceRequest.reference).join(
                    CallRequest, CallRequest.request_id == ServiceRequest.id)
                .where(CallRequest.call_id == call.id).order_by(ServiceRequest.id)))
            out.append((call.caller_phone, call.note, refs, call.ended_at is not None))
        return out


def test_a_booking_and_a_report_in_one_call_are_one_record_and_the_console_keeps_the_caller(
        app, op, slots):
    booked = _book(op, slots[0])
    assert booked.status_code == 302
    # the console again, with the caller's requests: the history is not dropped
    console = op.get(booked.headers["Location"]).get_data(as_text=True)
    (first,) = _refs(app)
    assert f"Requests from {PHONE}" in console and 'class="caller-request"' in console
    assert "Call in progress" in console and first in console
    assert "Booked for the caller" in console
    reported = _report(op)
    assert reported.status_code == 302
    first, second = _refs(app)
    console = op.get(reported.headers["Location"]).get_data(as_text=True)
    assert console.count('class="caller-request"') == 2
    made = console[console.index('class="call-made"'):console.index("</ul>",
                                                                     console.index('class="call-made"'))]
    assert first in made and second in made
    # the note form speaks for this call; saving it ends the call
    assert re.search(rf'id="call-phone"[^>]*value="{PHONE}"', console)
    assert "Note and end the call" in console and "Save the note and end the call" in console
    assert _calls(app) == [(PHONE, "", [first, second], False)]
    noted = post_form(op, "/hotline/calls", {"caller_phone": PHONE, "note": "预约并投诉路灯"},
                      page_url="/hotline/")
    assert noted.status_code == 302
    assert _calls(app) == [(PHONE, "预约并投诉路灯", [first, second], True)]
    # the log of today's calls lists both tickets, not "None"
    console = op.get("/hotline/").get_data(as_text=True)
    (row,) = re.findall(r'<tr class="call-note">.*?</tr>', console, re.DOTALL)
    assert first in row and second in row and "None" not in row
    assert "Call in progress" not in console
    assert [a.after["request"] for a in audits(app, "call.request")] == [first, second]


def test_business_for_another_caller_ends_the_open_call_and_starts_a_new_one(app, op, slots):
    assert _book(op, slots[0]).status_code == 302
    assert _report(op, caller=OTHER, phone=OTHER).status_code == 302
    first, second = _refs(app)
    assert _calls(app) == [(PHONE, "", [first], True), (OTHER, "", [second], False)]
    # a note for yet another number ends the open call and is a call of its own
    post_form(op, "/hotline/calls", {"caller_phone": "0631-5201234", "note": "咨询"},
              page_url="/hotline/")
    assert _calls(app)[1][3] is True
    assert _calls(app)[2] == ("06315201234", "咨询", [], True)


def test_a_caller_booking_for_someone_else_stays_in_their_call_and_console(app, op, slots):
    """A daughter (the caller) books for her mother: the call is the daughter's."""
    response = _book(op, slots[0], phone=OTHER, caller=PHONE)
    assert response.headers["Location"].startswith(f"/hotline/?phone={PHONE}")
    assert _calls(app)[0][:3] == (PHONE, "", _refs(app))


def test_an_old_call_left_open_is_not_joined(app, op, slots):
    assert _book(op, slots[0]).status_code == 302
    with app.app_context():
        call = db.session.scalar(select(CallLog))
        call.at -= dt.timedelta(hours=3)
        db.session.commit()
    assert _report(op).status_code == 302
    assert [len(c[2]) for c in _calls(app)] == [1, 1]


def test_each_operator_has_their_own_call(app, op, people, slots):
    assert _book(op, slots[0]).status_code == 302
    other = people["op2"]
    assert "Call in progress" not in other.get("/hotline/").get_data(as_text=True)


def test_console_times_are_to_the_minute(app, op, slots):
    _book(op, slots[0])
    post_form(op, "/hotline/calls", {"caller_phone": PHONE, "note": "预约"}, page_url="/hotline/")
    console = op.get(f"/hotline/?phone={PHONE}").get_data(as_text=True)
    shown = re.sub(r'datetime="[^"]*"', "", console)  # machine times keep their seconds
    assert not re.search(r"\d{1,2}:\d{2}:\d{2}", shown)
    assert re.search(r'<time datetime="[^"]+">\d{2}:\d{2}</time>', console)


def test_the_request_history_does_not_repeat_the_status_named_by_the_step(app, op, slots):
    _book(op, slots[0])
    (ref,) = _refs(app)
    page = op.get(f"/requests/{ref}").get_data(as_text=True)
    (line,) = re.findall(r'<p class="history-when">(.*?)</p>', page, re.DOTALL)
    assert line.count("Booked") == 1
