"""One booking through POST /api/v1/appointments costs a fixed, small number of statements
(issue 13: a popular service opening its fortnight is this load): the slot's place in one
upsert, the request row without a reference SELECT before it, no reload after the commit."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from service_desk.extensions import db
from service_desk.requests import appointments
from service_desk.requests.models import ServiceRequest

from ..factories import EIGHT_TO_EIGHT, open_every_day

# service, phone-day lock (PostgreSQL) or second look (SQLite), phone-day check, hours,
# closures, the place's upsert, the request, its history, audit and text rows, and the slots
# version (perf1's slots cache): 11. Before issue 13: 15 on SQLite, 16 on PostgreSQL (slot
# counters read, slot id SELECT, reference SELECT, two reloads after the commit).
MAX_BOOKING_STATEMENTS = 11


@pytest.fixture
def bookable(app, seeded):
    open_every_day(app, capacity=2, ahead=30, periods=EIGHT_TO_EIGHT)


def _free(client, n):
    today = dt.date.today()
    body = client.get(f"/api/v1/services/appointment/slots?from={today}"
                      f"&to={today + dt.timedelta(days=20)}").get_json()
    return [s["start"] for s in body if s["remaining"] > 0][:n]


def _book(client, start, phone):
    return client.post("/api/v1/appointments", json={
        "service_code": "appointment", "start": start, "name": "李阿姨", "phone": phone})


def test_one_booking_costs_a_bounded_number_of_statements(client, bookable, count_queries):
    first, second = _free(client, 2)
    assert _book(client, first, "13812345670").status_code == 201  # the slot's counter exists
    with count_queries() as existing_slot:
        answer = _book(client, first, "13812345671")
    assert answer.status_code == 201 and answer.get_json()["phone"] == "138****5671"
    with count_queries() as first_of_its_slot:
        assert _book(client, second, "13812345672").status_code == 201
    assert len(existing_slot) <= MAX_BOOKING_STATEMENTS, "\n".join(existing_slot)
    assert len(first_of_its_slot) == len(existing_slot)  # creating the counter costs nothing
    sql = [" ".join(s.split()).lower() for s in existing_slot]
    assert sum(s.startswith(("insert into slots", "update slots")) for s in sql) == 1
    assert not any(s.startswith("select service_requests.id from service_requests where "
                                "service_requests.reference") for s in sql)


def test_a_reference_already_taken_is_drawn_again(app, client, bookable, monkeypatch):
    first, second = _free(client, 2)
    taken = _book(client, first, "13812345670").get_json()["reference"]
    draws = iter([taken, taken, "ZZZZ2345"])
    monkeypatch.setattr(appointments, "draw_reference", lambda: next(draws))
    answer = _book(client, second, "13812345671")
    assert answer.status_code == 201 and answer.get_json()["reference"] == "ZZZZ2345"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ServiceRequest)
                                 .where(ServiceRequest.reference == taken)) == 1
