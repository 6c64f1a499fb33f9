"""Parity: each request rule gives the same outcome on every channel that offers the action.

The rules live in ``service_desk/requests`` (one function each); the web pages, the hotline
console, the JSON API and Open311 only translate its answer. Each test here drives one rule
through every channel that has the action and asserts the same outcome: refused, with the
request unchanged and nothing new stored.

Regressions kept from the issue "One request domain, one set of rules":
- the API cancelled (200) a booking staff had marked arrived, which the pages refuse;
- ``POST /api/v1/reports`` accepted the enterprise-only service for ``"group": "elderly"``;
- the web's booking confirm had no rate limit while the API allowed 10 a minute.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from service_desk.accounts.models import User
from service_desk.base.links import manage_token
from service_desk.catalog.models import Channel, SpecialGroup
from service_desk.db import utcnow
from service_desk.extensions import db
from service_desk.requests.appointments import appointment_book, booking_mark
from service_desk.requests.models import RequestStatus, ServiceRequest
from service_desk.requests.residents import Resident

from ..factories import (
    EIGHT_TO_EIGHT,
    PHONE,
    count_rows,
    free_times,
    login,
    new_key,
    open_every_day,
    post_form,
)
from ..factories import service_by_code as _service

BASE311 = "/open311/v2"


@dataclass
class Booked:
    reference: str
    start: dt.datetime
    other_start: dt.datetime  # a free time to move to


@pytest.fixture
def bookable(app, seeded):
    """The "appointment" service open every day 08:00–20:00, one place per half hour."""
    open_every_day(app, capacity=1, ahead=14, periods=EIGHT_TO_EIGHT)


def _free(app, n: int) -> list[dt.datetime]:
    return [slot.start for slot in free_times(app, "appointment", n, days=11)]


def _book(app, start: dt.datetime) -> str:
    with app.app_context():
        item = appointment_book(service=_service("appointment"), start=start,
                                resident=Resident(name="李阿姨", phone=PHONE,
                                                  group=SpecialGroup.ELDERLY),
                                channel=Channel.WEB)
        db.session.commit()
        reference = item.reference
        db.session.remove()
    return reference


@pytest.fixture
def arrived(app, bookable, make_user) -> Booked:
    """A booking ahead of its time that staff have already marked arrived."""
    start, other = _free(app, 2)
    reference = _book(app, start)
    staff = make_user("staff", unit="gov-service-centre")
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == reference))
        booking_mark(request=item, service=_service("appointment"), status=RequestStatus.ARRIVED,
                     note=None, actor=db.session.scalar(select(User).where(User.username == staff)),
                     expected_version=item.version)
        db.session.commit()
        db.session.remove()
    return Booked(reference, start, other)


def _state(app, reference: str) -> tuple[RequestStatus, dt.datetime]:
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == reference))
        state = (item.status, item.starts_at)
        db.session.remove()
    return state


def _allow_per_phone_and_day(app, allowed: int) -> None:
    with app.app_context():
        _service("appointment").max_active_per_phone_per_day = allowed
        db.session.commit()
        db.session.remove()


def _count(app) -> int:
    return count_rows(app, ServiceRequest)


def _manage_url(app, reference: str) -> str:
    with app.test_request_context():
        return f"/my-booking/{manage_token(reference, PHONE)}"


def _web_post(client, page_url: str, url: str, data: dict):
    """POST like a browser, with the CSRF token of a page that holds a form."""
    return post_form(client, url, data, page_url=page_url)


# --- residents change a booking only while it is booked and still ahead ----------------------

def test_an_arrived_booking_cannot_be_cancelled_by_the_resident_on_any_channel(app, client,
                                                                              arrived):
    before = _state(app, arrived.reference)
    manage = _manage_url(app, arrived.reference)
    outcomes = {
        "web": _web_post(client, "/my-booking", f"{manage}/cancel", {}).status_code,
        "api": client.post(f"/api/v1/appointments/{arrived.reference}/cancel",
                           json={"phone": PHONE}).status_code,
    }
    assert outcomes == {"web": 409, "api": 409}
    assert _state(app, arrived.reference) == before == (RequestStatus.ARRIVED, arrived.start)


def test_an_arrived_booking_cannot_be_moved_by_the_resident_on_any_channel(app, client, arrived):
    manage = _manage_url(app, arrived.reference)
    outcomes = {
        "web": _web_post(client, "/my-booking", f"{manage}/reschedule",
                         {"start": arrived.other_start.isoformat()}).status_code,
        "api": client.post(f"/api/v1/appointments/{arrived.reference}/reschedule",
                           json={"phone": PHONE,
                                 "start": arrived.other_start.isoformat()}).status_code,
    }
    assert outcomes == {"web": 409, "api": 409}
    assert _state(app, arrived.reference) == (RequestStatus.ARRIVED, arrived.start)


def test_a_booking_whose_time_has_passed_cannot_be_cancelled_by_the_resident(app, client,
                                                                             bookable):
    reference = _book(app, _free(app, 1)[0])
    with app.app_context():  # its time comes: the booking is now in the past
        item = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reference == reference))
        item.starts_at = utcnow() - dt.timedelta(hours=2)
        item.ends_at = item.starts_at + dt.timedelta(minutes=30)
        db.session.commit()
        db.session.remove()
    manage = _manage_url(app, reference)
    assert _web_post(client, "/my-booking", f"{manage}/cancel", {}).status_code == 409
    response = client.post(f"/api/v1/appointments/{reference}/cancel", json={"phone": PHONE})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "not_active"
    assert _state(app, reference)[0] is RequestStatus.BOOKED


def test_a_booking_ahead_is_cancelled_alike_by_the_web_and_the_api(app, client, bookable):
    _allow_per_phone_and_day(app, 2)
    first, second = _free(app, 2)
    by_web, by_api = _book(app, first), _book(app, second)
    manage = _manage_url(app, by_web)
    assert _web_post(client, "/my-booking", f"{manage}/cancel", {}).status_code == 302
    assert client.post(f"/api/v1/appointments/{by_api}/cancel",
                       json={"phone": PHONE}).status_code == 200
    assert _state(app, by_web)[0] is _state(app, by_api)[0] is RequestStatus.CANCELLED


# --- who a service is for: the same on every channel, for bookings and reports ---------------

@pytest.fixture
def operator(app, seeded, make_user):
    name = make_user("operator")
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def _console_post(client, url: str, data: dict):
    return post_form(client, url, data, page_url="/hotline/")


def _open311_key(app) -> str:
    return new_key(app, "parity")


def test_an_enterprise_only_service_refuses_a_report_for_an_elderly_resident_everywhere(
        app, client, operator):
    report = {"description": "想办理开业审批", "name": "王先生", "phone": PHONE,
              "address": "海峰路 1 号"}
    api = client.post("/api/v1/reports", json={**report, "service_code": "open-on-completion",
                                               "group": "elderly"})
    hotline = _console_post(operator, "/hotline/report", {
        **report, "service": "open-on-completion", "unit": "", "group": "elderly",
        "request_type": "enquiry"})
    open311 = client.post(f"{BASE311}/requests.json", data={
        "api_key": _open311_key(app), "service_code": "open-on-completion",
        "attribute[group]": "elderly", "first_name": "先生", "last_name": "王", "phone": PHONE,
        "address_string": "海峰路 1 号", "description": "想办理开业审批"})
    assert (api.status_code, hotline.status_code, open311.status_code) == (422, 422, 400)
    assert "group" in api.get_json()["error"]["fields"]
    assert "attribute[group]" in open311.get_data(as_text=True)
    assert _count(app) == 0
    # the same report for an enterprise goes through on each of them
    ok = client.post("/api/v1/reports", json={**report, "service_code": "open-on-completion",
                                              "group": "enterprise"})
    assert ok.status_code == 201
    assert _console_post(operator, "/hotline/report", {
        **report, "service": "open-on-completion", "unit": "",
        "group": "enterprise", "request_type": "enquiry"}).status_code == 302
    assert _count(app) == 2


def _book_as_the_public(client, operator, start: dt.datetime) -> tuple[int, int, int]:
    """A member of the public books on the web ("none of these"), the API (no group) and the
    hotline ("None of these"), each with its own phone."""
    url = "/book/appointment/confirm"
    web = _web_post(client, f"/book/appointment/details?start={start.isoformat()}", url,
                    {"name": "李阿姨", "phone": PHONE, "needs": "", "group": "everyone",
                     "start": start.isoformat()})
    api = client.post("/api/v1/appointments", json={
        "service_code": "appointment", "start": start.isoformat(), "name": "李阿姨",
        "phone": "13912345678"})
    hotline = _console_post(operator, "/hotline/book", {
        "name": "李阿姨", "phone": "13712345678", "needs": "", "service": "appointment",
        "start": start.isoformat(), "group": ""})
    return web.status_code, api.status_code, hotline.status_code


def test_a_member_of_the_public_books_alike_on_the_web_hotline_and_api(
        app, client, operator, bookable):
    open_every_day(app, capacity=3, ahead=14, periods=EIGHT_TO_EIGHT)  # three places a slot
    assert _book_as_the_public(client, operator, _free(app, 1)[0]) == (302, 201, 302)
    assert _count(app) == 3


def test_an_enterprise_only_booking_refuses_the_public_alike_on_the_web_hotline_and_api(
        app, client, operator, bookable):
    with app.app_context():
        _service("appointment").eligible_groups = ["enterprise"]
        db.session.commit()
        db.session.remove()
    assert _book_as_the_public(client, operator, _free(app, 1)[0]) == (422, 422, 422)
    assert _count(app) == 0


# --- new bookings: one rate limit per client, whichever channel it books through -----------

def test_the_web_confirm_and_the_api_share_one_booking_rate_limit(app, client, bookable):
    first, second, third = _free(app, 3)
    details = {"name": "李阿姨", "phone": PHONE, "group": "elderly", "needs": ""}
    app.config["API_WRITE_RATE_LIMIT"] = "2 per minute"
    try:
        web = [_web_post(client, f"/book/appointment/details?start={s.isoformat()}",
                         "/book/appointment/confirm",
                         {**details, "phone": phone, "start": s.isoformat()})
               for s, phone in ((first, PHONE), (second, "13712345678"))]
        api = client.post("/api/v1/appointments", json={
            "service_code": "appointment", "start": third.isoformat(), "name": "李阿姨",
            "phone": "13912345678", "group": "elderly"})
        over_web = _web_post(client, f"/book/appointment/details?start={third.isoformat()}",
                             "/book/appointment/confirm", {**details, "start": third.isoformat()})
    finally:
        app.config["API_WRITE_RATE_LIMIT"] = "1000 per minute"
    assert [r.status_code for r in web] == [302, 302]
    assert (api.status_code, over_web.status_code) == (429, 429)
    assert _count(app) == 2


# --- one phone, one active booking of a service per day (a setting per service) -------------

def _two_on_one_day(app) -> tuple[dt.datetime, dt.datetime]:
    from service_desk.base.calendar import local_day

    starts = _free(app, 30)
    with app.app_context():
        days = [local_day(s) for s in starts]
    return starts[0], next(s for s, d in zip(starts[1:], days[1:]) if d == days[0])


def test_a_second_booking_of_the_same_phone_that_day_is_refused_on_every_channel_with_the_first(
        app, client, operator, bookable):
    first, second = _two_on_one_day(app)
    reference = _book(app, first)
    details = {"name": "李阿姨", "phone": PHONE, "group": "elderly", "needs": ""}
    web = _web_post(client, f"/book/appointment/details?start={second.isoformat()}",
                    "/book/appointment/confirm", {**details, "start": second.isoformat()})
    hotline = _console_post(operator, "/hotline/book", {
        **details, "service": "appointment", "start": second.isoformat()})
    api = client.post("/api/v1/appointments", json={
        "service_code": "appointment", "start": second.isoformat(), "name": "李阿姨",
        "phone": PHONE, "group": "elderly"})
    assert (web.status_code, hotline.status_code, api.status_code) == (409, 409, 409)
    assert api.get_json()["error"]["code"] == "duplicate_booking"
    # the public channels say when the booking held is, never its reference: a reference and
    # the phone are all it takes to cancel it, and whoever tries may only know the phone
    assert api.get_json()["existing"] == {"start": first.isoformat()}
    spaced = " ".join(reference[i:i + 4] for i in range(0, len(reference), 4))
    page = web.get_data(as_text=True)
    assert reference not in page and spaced not in page
    assert reference not in json.dumps(api.get_json())
    # the operator on the phone with the resident reads it out, grouped to read aloud
    assert spaced in hotline.get_data(as_text=True)
    assert _count(app) == 1
    # with the service's allowance raised to two, the same attempt books
    _allow_per_phone_and_day(app, 2)
    again = client.post("/api/v1/appointments", json={
        "service_code": "appointment", "start": second.isoformat(), "name": "李阿姨",
        "phone": PHONE, "group": "elderly"})
    assert again.status_code == 201 and _count(app) == 2
