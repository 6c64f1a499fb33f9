"""The version of a service's free slots: a value on the service row that every change to
what its slots answer shows replaces — a place taken or freed, a closure added or removed, the
hours or settings saved — in the same transaction as the change.

A cached slots answer is keyed by this version, so it is exact: the commit that changes the
slots changes the version the next reader sees (PostgreSQL's MVCC and SQLite's single writer
make the two visible together), and nothing depends on a time-to-live guess.
"""
from __future__ import annotations

from sqlalchemy import update

from ..extensions import db
from .models import Service, new_slots_version


def slots_changed(service_id: int | None) -> None:
    """Give one service (every service when None: a closure of all) a new slots version.

    Call it as late in the transaction as the change allows: it takes the service row's write
    lock until the commit, and other bookings of the same service wait for it."""
    stmt = (update(Service).values(slots_version=new_slots_version())
            .execution_options(synchronize_session=False))
    if service_id is not None:
        stmt = stmt.where(Service.id == service_id)
    db.session.execute(stmt)
