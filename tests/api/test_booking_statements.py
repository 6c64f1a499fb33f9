"""One booking through POST /api/v1/appointments costs a fixed, small number of statements
(issue 13: a popular service opening its fortnight is this load): the slot's place in one
upsert, the request row without a reference SELECT before it, no reload after the commit."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from service_desk.catalog import service_cache
from service_desk.extensions import db
from service_desk.notifications.models import Notification, NotificationStatus
from service_desk.requests import appointments
from service_desk.requests.models import RequestStatus, ServiceRequest

from ..factories import EIGHT_TO_EIGHT, audits, events_of, open_every_day, stored_request
from .booking_helpers import book, free_starts

# service, phone-day lock (PostgreSQL) or second look (SQLite), phone-day check, hours,
# closures, the place's upsert, the request, its history, audit and text rows, and the slots
# version (perf1's slots cache): 11 before the Core rewrite of the booking (issue 13); now the
# hours and closures are one statement and, on PostgreSQL, the history, text and audit rows
# one INSERT (WITH … INSERT): 10 on SQLite, 8 on PostgreSQL. Then, on PostgreSQL, the lock
# also draws the request's id, and the place, the request, its three rows and the version are
# one statement (requests/booking_statement.py): 5 — the service, the lock, the phone's day,
# the hours and closures, the writes; and the lock statement reads the day's hours and
# closures too: 4; and the writing statement checks the phone's day itself (after the lock,
# in the statement's own snapshot): 3 — the service, the lock, the writes; and the service
# comes from memory (catalog/service_cache.py), the lock statement checking the copy: 2 once
# a booking read it (the first booking of a service in a process reads it: 3). Before issue
# 13: 15 on SQLite, 16 on PostgreSQL (slot counters read, slot id SELECT, reference SELECT,
# two reloads after the commit).
MAX_BOOKING_STATEMENTS = {"sqlite": 10, "postgresql": 2}


@pytest.fixture
def bookable(app, seeded):
    open_every_day(app, capacity=2, ahead=30, periods=EIGHT_TO_EIGHT)


def test_one_booking_costs_a_bounded_number_of_statements(app, client, bookable,
                                                          count_queries):
    first, second, third = free_starts(client, 3)
    assert book(client, first, "13812345670").status_code == 201  # the slot's counter exists
    with count_queries() as existing_slot:
        answer = book(client, first, "13812345671")
    assert answer.status_code == 201 and answer.get_json()["phone"] == "138****5671"
    with count_queries() as first_of_its_slot:
        assert book(client, second, "13812345672").status_code == 201
    with app.app_context():
        dialect = db.engine.dialect.name
    most = MAX_BOOKING_STATEMENTS[dialect]
    assert len(existing_slot) <= most, "\n".join(existing_slot)
    assert len(first_of_its_slot) == len(existing_slot)  # creating the counter costs nothing
    service_cache.forget()  # a process's first booking of the service reads it once
    with count_queries() as not_remembered:
        assert book(client, third, "13812345673").status_code == 201
    assert len(not_remembered) == len(existing_slot) + (dialect == "postgresql")
    sql = [" ".join(s.split()).lower() for s in existing_slot]
    if dialect == "postgresql":  # every write in the last statement
        assert not any(s.startswith(("insert", "update")) for s in sql)
        assert sql[-1].startswith("with held as (select service_requests.id")
        assert "place as (insert into slots" in sql[-1]
        assert "update services set slots_version" in sql[-1]
        # within what psycopg keeps parsed (psycopg._queries: 50 parameters, 4,096
        # characters); past either it parses the statement anew on every booking
        import re

        from psycopg import _queries
        writes = existing_slot[-1]
        assert len(set(re.findall(r"%\((\w+)\)s", writes))) <= _queries.MAX_CACHED_STATEMENT_PARAMS
        assert len(writes.encode()) <= _queries.MAX_CACHED_STATEMENT_LENGTH
    else:
        assert sum(s.startswith(("insert into slots", "update slots")) for s in sql) == 1
        assert sql[-1].startswith("update services set slots_version")  # its lock taken last
    assert not any(s.startswith("select service_requests.id from service_requests where "
                                "service_requests.reference") for s in sql)


def test_a_reference_already_taken_is_drawn_again(app, client, bookable, monkeypatch):
    first, second = free_starts(client, 2)
    taken = book(client, first, "13812345670").get_json()["reference"]
    draws = iter([taken, taken, "ZZZZ2345"])
    monkeypatch.setattr(appointments, "draw_reference", lambda: next(draws))
    answer = book(client, second, "13812345671")
    assert answer.status_code == 201 and answer.get_json()["reference"] == "ZZZZ2345"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ServiceRequest)
                                 .where(ServiceRequest.reference == taken)) == 1
    # one place taken, and the record written once, for the reference that was kept (on
    # PostgreSQL the one statement wrote nothing past the place; the rest followed it)
    slots = {s["start"]: s["remaining"] for s in client.get(
        f"/api/v1/services/appointment/slots?from={dt.date.today()}"
        f"&to={dt.date.today() + dt.timedelta(days=20)}").get_json()}
    assert slots[second] == 1
    assert [e.action for e in events_of(app, "ZZZZ2345")] == ["booked"]
    assert [a.object_id for a in audits(app, "appointment.book")].count("ZZZZ2345") == 1
    assert not events_of(app, taken)[1:]
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest)
                                 .where(ServiceRequest.reference == "ZZZZ2345"))
        assert item.slot_id is not None and item.status is RequestStatus.BOOKED
        texts = db.session.scalars(select(Notification.body).where(
            Notification.dedupe_key.like(f"appointment-booked:{item.id}:%"))).all()
        assert len(texts) == 1 and "ZZZZ2345" in texts[0].replace(" ", "")


def test_the_rows_written_as_plain_rows_are_the_whole_record(app, client, bookable):
    """The request row and its history, text and audit rows are written with Core, not
    through ORM objects (the last three in one statement on PostgreSQL): each holds what the
    ORM wrote, the columns' defaults included."""
    start = free_starts(client, 1)[0]
    reference = book(client, start, "13812345670").get_json()["reference"]
    item = stored_request(app, reference)
    assert (item.version, item.is_synthetic, item.status) == (1, False, RequestStatus.BOOKED)
    assert item.created_at is not None and item.updated_at is not None
    [event] = events_of(app, reference)
    assert (event.action, event.status_after, event.note, event.unit_id, event.actor_id) == (
        "booked", RequestStatus.BOOKED, "web", item.unit_id, None)
    assert event.at is not None
    [audit] = [a for a in audits(app, "appointment.book") if a.object_id == reference]
    assert (audit.actor_label, audit.actor_id, audit.object_type, audit.before) == (
        "resident", None, "request", None)
    assert audit.after == {"service": "appointment", "start": start, "channel": "web"}
    assert audit.at is not None and audit.ip == "127.0.0.1"
    with app.app_context():
        text = db.session.scalar(select(Notification).where(
            Notification.dedupe_key == f"appointment-booked:{item.id}:1"))
        assert (text.kind, text.recipient, text.status, text.attempts, text.urgent) == (
            "appointment-booked", "sms:13812345670", NotificationStatus.PENDING, 0, True)
        assert reference in text.body and text.created_at is not None
        assert json.loads(text.params)["ref"] == reference
