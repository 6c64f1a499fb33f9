"""The service a booking names, from this process's memory (issue 13): loading it through the
ORM was a tenth of a booking's CPU, for a row that changes a few times a year.

The copy never decides anything. Each entry keeps the stored row's fingerprint (the md5 of
every column but the slots version, which every booking replaces), and the booking reads the
stored row's fingerprint again inside its own transaction, in the statement that takes its
phone's-day lock (``requests.appointments``): when they differ it books with the row as stored,
and the entry is replaced. A service renamed, closed or given another allowance is therefore
booked by its stored settings from the first booking after the change, on every process.

Only on PostgreSQL, where that statement exists; elsewhere the service is read as before.
"""
from __future__ import annotations

import threading

from sqlalchemy import Text, bindparam, cast, func, select
from sqlalchemy.orm import make_transient_to_detached

from ..driver_sql import PG, DriverStatement
from ..extensions import db
from .models import Service

MAX_ENTRIES = 256  # codes of active services: a handful

_services = Service.__table__
_COLUMNS = [column for column in _services.c if column.key != "slots_version"]
_KEYS = [column.key for column in _COLUMNS]


_FINGERPRINT = func.md5(cast(func.row(*_COLUMNS), Text))


def fingerprint(service_id):
    """The stored row's fingerprint for ``service_id`` (a bound parameter), as a scalar
    subquery: NULL when there is no such row."""
    return select(_FINGERPRINT).where(_services.c.id == service_id).scalar_subquery()


_BY_CODE = DriverStatement(select(*_COLUMNS, _FINGERPRINT)
                           .where(_services.c.code == bindparam("code"),
                                  _services.c.is_active.is_(True)))
_entries: dict[str, tuple[dict, str]] = {}
_lock = threading.Lock()


def bookable_service(code: str) -> tuple[Service, str | None] | None:
    """The active service with ``code``, in the session, and the fingerprint of the row it
    was made from (None when it was read from the database now, as on SQLite): the booking
    checks it (see above). None when there is no such service."""
    session = db.session
    if session.get_bind().dialect.name != PG:
        service = session.scalar(select(Service).where(Service.code == code,
                                                       Service.is_active.is_(True)))
        return None if service is None else (service, None)
    entry = _entries.get(code)
    if entry is None:
        rows = _BY_CODE.rows(session, {"code": code})
        if not rows:
            return None  # not remembered: a service that is made or opened is seen at once
        entry = (dict(zip(_KEYS, rows[0][:-1], strict=True)), rows[0][-1])
        with _lock:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[code] = entry
    return _in_session(entry[0]), entry[1]


def _in_session(values: dict) -> Service:
    """The session's object for the row, as though loaded: a fresh object each call (never
    shared between requests), or the one the session already holds."""
    held = db.session.identity_map.get(Service.__mapper__.identity_key_from_primary_key(
        [values["id"]]))
    if held is not None:
        return held
    service = Service(**values)
    make_transient_to_detached(service)
    db.session.add(service)
    return service


def stored_service(code: str) -> Service | None:
    """The service with ``code`` as stored, active or not (a booking found the copy out of
    date), the copy forgotten; None when there is none."""
    forget(code)
    return db.session.scalar(select(Service).where(Service.code == code)
                             .execution_options(populate_existing=True))


def forget(code: str | None = None) -> None:
    """Drop the copy of ``code`` (every copy when None)."""
    with _lock:
        if code is None:
            _entries.clear()
        else:
            _entries.pop(code, None)
