"""The API's booking commits with its writing statement on PostgreSQL (appointment_book's
``commit``): the COMMIT goes in the same round trip, so the service row's lock, which every
booking of the service waits for, is not held while the process comes back to send it. What
is written, and what a refusal leaves, are as when the caller commits."""
from __future__ import annotations

from unittest import mock

import psycopg
import pytest
from sqlalchemy import func, select

from service_desk.catalog.models import Service, Slot
from service_desk.extensions import db
from service_desk.requests import appointments
from service_desk.requests.models import ServiceRequest

from ..factories import EIGHT_TO_EIGHT, open_every_day
from .booking_helpers import book, free_starts

pytestmark = pytest.mark.commits  # the session's own transaction, as in production


@pytest.fixture
def bookable(app, seeded):
    open_every_day(app, capacity=1, ahead=30, periods=EIGHT_TO_EIGHT)


def _free(client, n):
    return free_starts(client, n, first_day=1)


def _stored(app):
    with app.app_context():
        counted = db.session.scalar(select(func.coalesce(func.sum(Slot.booked), 0)))
        made = db.session.scalar(select(func.count(ServiceRequest.id)))
        version = db.session.scalar(select(Service.slots_version)
                                    .where(Service.code == "appointment"))
        db.session.remove()
    return counted, made, version


def _postgres(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def test_a_booking_is_stored_and_its_commit_went_with_its_statement(app, client, bookable):
    first, = _free(client, 1)
    before = _stored(app)
    with mock.patch.object(psycopg.Connection, "pipeline", autospec=True,
                           side_effect=psycopg.Connection.pipeline) as pipelined:
        answer = book(client, first, "13812345670")
    assert answer.status_code == 201
    counted, made, version = _stored(app)
    assert (counted, made) == (before[0] + 1, before[1] + 1) and version != before[2]
    assert pipelined.call_count == (1 if _postgres(app) else 0)


def test_a_full_slot_and_a_phones_second_booking_leave_nothing(app, client, bookable):
    first, second = _free(client, 2)
    assert book(client, first, "13812345671").status_code == 201
    before = _stored(app)
    full = book(client, first, "13812345672")
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "slot_full"
    twice = book(client, second, "13812345671")
    assert twice.status_code == 409
    assert twice.get_json()["error"]["code"] == "duplicate_booking"
    assert _stored(app) == before
    assert book(client, second, "13812345673").status_code == 201  # the place is still free


def test_a_reference_already_stored_is_drawn_again_and_the_place_taken_once(
        app, client, bookable, monkeypatch):
    first, second = _free(client, 2)
    taken = book(client, first, "13812345674").get_json()["reference"]
    before = _stored(app)
    draws = iter([taken, "ZZZZ2345"])
    monkeypatch.setattr(appointments, "draw_reference", lambda: next(draws))
    answer = book(client, second, "13812345675")
    assert answer.status_code == 201 and answer.get_json()["reference"] == "ZZZZ2345"
    counted, made, _ = _stored(app)
    assert (counted, made) == (before[0] + 1, before[1] + 1)
