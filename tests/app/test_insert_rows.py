"""db.insert_rows (issue 13): a change's plain rows in one statement on PostgreSQL, with the
columns' Python-side defaults filled in; a row that breaks a constraint fails the change as
the unit of work's flush would. And slots_changed, one UPDATE, for one service or all."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service_desk.catalog.models import Service
from service_desk.catalog.slot_versions import slots_changed
from service_desk.db import insert_rows
from service_desk.extensions import db
from service_desk.notifications.models import Notification, NotificationStatus
from service_desk.notifications.outbox import text_row

from ..factories import service_by_code


def _version(code: str = "appointment") -> int:
    return db.session.scalar(select(Service.slots_version).where(Service.code == code))


def test_rows_are_written_in_one_statement_then_the_new_version(app, seeded, count_queries):
    with app.app_context():
        service = service_by_code("appointment")
        before = _version()
        rows = [text_row(kind="appointment-booked", phone="13812345678", subject="s\nx",
                         body="b", dedupe_key=f"k{i}", urgent=i == 0) for i in range(2)]
        with count_queries() as statements:
            insert_rows(db.session, rows)
            slots_changed(service.id)
        on_postgres = db.engine.dialect.name == "postgresql"
        assert len(statements) == (2 if on_postgres else 3)
        assert statements[-1].lstrip().upper().startswith("UPDATE SERVICES")  # last: the lock
        assert _version() != before
        texts = db.session.scalars(select(Notification).where(Notification.dedupe_key.in_(
            ["k0", "k1"])).order_by(Notification.dedupe_key)).all()
        assert [(t.subject, t.urgent, t.status, t.attempts) for t in texts] == [
            ("s x", True, NotificationStatus.PENDING, 0),
            ("s x", False, NotificationStatus.PENDING, 0)]
        assert all(t.created_at is not None for t in texts)
        db.session.rollback()


def test_a_row_breaking_a_constraint_fails_the_change(app, seeded):
    with app.app_context():
        db.session.add(Notification(kind="appointment-booked", recipient="sms:1", subject="s",
                                    body="b", dedupe_key="taken"))
        db.session.flush()
        with pytest.raises(IntegrityError):
            insert_rows(db.session, [  # two: on PostgreSQL the one-statement form
                text_row(kind="appointment-booked", phone="13812345678", subject="s", body="b",
                         dedupe_key="free"),
                text_row(kind="appointment-booked", phone="13812345678", subject="s", body="b",
                         dedupe_key="taken")])
        db.session.rollback()


def test_every_service_gets_a_new_version_without_rows(app, seeded):
    with app.app_context():
        before = {code: _version(code) for code in ("appointment", "home-visit")}
        slots_changed(None)
        assert all(_version(code) != v for code, v in before.items())
        db.session.rollback()
