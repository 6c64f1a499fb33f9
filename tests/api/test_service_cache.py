"""The booking API takes the service from service_cache's copy in memory (PostgreSQL), and the
booking checks the copy against the stored row in its own transaction: a change to the
service is booked by from the very next booking, whichever way the change was made."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from service_desk.catalog import service_cache
from service_desk.catalog.models import Service
from service_desk.extensions import db
from service_desk.requests.models import ServiceRequest

from ..factories import EIGHT_TO_EIGHT, open_every_day


@pytest.fixture
def bookable(app, seeded):
    open_every_day(app, capacity=3, ahead=30, periods=EIGHT_TO_EIGHT)


def _starts(client, n):
    today = dt.date.today()
    body = client.get(f"/api/v1/services/appointment/slots?from={today + dt.timedelta(days=1)}"
                      f"&to={today + dt.timedelta(days=20)}").get_json()
    days = {}
    for slot in body:  # one a day: the phone's allowance is one a day
        days.setdefault(slot["start"][:10], slot["start"])
    return list(days.values())[:n]


def _book(client, start, phone, group="elderly"):
    return client.post("/api/v1/appointments", json={
        "service_code": "appointment", "start": start, "name": "李阿姨", "phone": phone,
        "group": group})


def _change(app, **values):
    """As a script or another process would: a plain UPDATE, no ORM event."""
    with app.app_context():
        db.session.execute(update(Service).where(Service.code == "appointment").values(**values))
        db.session.commit()
        db.session.remove()


def _postgres(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def test_a_service_opened_to_everyone_is_booked_by_the_public_at_once(app, client, bookable):
    _change(app, eligible_groups=["enterprise"])
    first, second = _starts(client, 2)
    refused = _book(client, first, "13812345670")  # the copy is made here, enterprise only
    assert refused.status_code == 422 and "group" in refused.get_json()["error"]["fields"]
    if _postgres(app):
        assert "appointment" in service_cache._entries
    _change(app, eligible_groups=["everyone"])
    assert _book(client, second, "13812345671").status_code == 201


def test_a_service_closed_to_the_public_refuses_them_at_once(app, client, bookable):
    first, second = _starts(client, 2)
    assert _book(client, first, "13812345672").status_code == 201  # remembered
    _change(app, eligible_groups=["enterprise"])
    refused = _book(client, second, "13812345673")
    assert refused.status_code == 422 and "group" in refused.get_json()["error"]["fields"]


def test_a_new_allowance_holds_from_the_next_booking(app, client, bookable):
    first, = _starts(client, 1)
    day = first[:10]
    same_day = next(s for s in _free_that_day(client, day) if s != first)
    assert _book(client, first, "13812345674").status_code == 201
    assert _book(client, same_day, "13812345674").status_code == 409  # one a day
    _change(app, max_active_per_phone_per_day=2)
    assert _book(client, same_day, "13812345674").status_code == 201


def _free_that_day(client, day):
    body = client.get(f"/api/v1/services/appointment/slots?from={day}&to={day}").get_json()
    return [s["start"] for s in body if s["remaining"] > 0]


def test_a_closed_service_is_not_booked_from_memory(app, client, bookable):
    first, second = _starts(client, 2)
    assert _book(client, first, "13812345675").status_code == 201
    _change(app, is_active=False)
    refused = _book(client, second, "13812345676")
    assert refused.status_code == 422
    assert "service_code" in refused.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.scalar(select(ServiceRequest.id).where(
            ServiceRequest.resident_phone == "13812345676")) is None
    assert "appointment" not in service_cache._entries  # read again next time


def test_a_copy_of_a_service_no_longer_stored_books_the_one_stored_under_its_code(
        app, client, bookable):
    """A copy whose row is gone (the service deleted and made again: a new id) is replaced
    by the row stored under the code, whose lock and calendar the booking then takes."""
    if not _postgres(app):
        pytest.skip("the copy is kept on PostgreSQL only")
    first, second = _starts(client, 2)
    assert _book(client, first, "13812345677").status_code == 201
    values, fingerprint = service_cache._entries["appointment"]
    service_cache._entries["appointment"] = ({**values, "id": values["id"] + 100_000},
                                             fingerprint)
    answer = _book(client, second, "13812345678")
    assert answer.status_code == 201, answer.get_json()
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(
            ServiceRequest.reference == answer.get_json()["reference"]))
        assert item.service_id == values["id"]


def test_an_unknown_code_is_not_remembered(app, client, bookable):
    first, = _starts(client, 1)
    answer = client.post("/api/v1/appointments", json={
        "service_code": "no-such-service", "start": first, "name": "李阿姨",
        "phone": "13812345679"})
    assert answer.status_code == 422
    assert "service_code" in answer.get_json()["error"]["fields"]
    assert "no-such-service" not in service_cache._entries
