"""The version of a service's free slots: a value on the service row that every change to
what its slots answer shows replaces — a place taken or freed, a closure added or removed, the
hours or settings saved — in the same transaction as the change.

A cached slots answer is keyed by this version, so it is exact: the commit that changes the
slots changes the version the next reader sees (PostgreSQL's MVCC and SQLite's single writer
make the two visible together), and nothing depends on a time-to-live guess.
"""
from __future__ import annotations

from sqlalchemy import bindparam, update

from ..extensions import db
from .models import Service, new_slots_version

# Core statements on the table, built once: every booking runs one, and the ORM-enabled
# UPDATE cost three times the CPU of the plain one (issue 13)
_services = Service.__table__
_BUMP_ALL = update(_services).values(slots_version=bindparam("version"))
_BUMP_ONE = _BUMP_ALL.where(_services.c.id == bindparam("service_id"))


def slots_changed(service_id: int | None) -> None:
    """Give one service (every service when None: a closure of all) a new slots version.

    Call it as late in the transaction as the change allows: it takes the service row's write
    lock until the commit, and other bookings of the same service wait for it."""
    # the session's pending changes first (what the ORM UPDATE's autoflush did), so that the
    # commit's flush does not run while the row is locked
    db.session.flush()
    db.session.execute(_BUMP_ALL if service_id is None else _BUMP_ONE,
                       {"version": new_slots_version(), "service_id": service_id})
