"""The slots answer, cached in each process by (service, window, day) and the service's slots
version (catalog/slot_versions.py), which every booking, cancel, move, closure and settings
save replaces in its own transaction: a place taken or freed shows in the very next call.

A call costs one statement while nothing changed (service_version: the id, kind and version); the
answer is kept as each slot's JSON, so the minimum notice — the one part that moves with the
clock — is applied by cutting the list at the first slot far enough ahead. The ETag names the
version, the window, the day and that cut, so it changes exactly when the body does.

Nothing here needs Redis: each worker process keeps its own small table (a few hundred
windows), filled on the first call after a change.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass, field

import psycopg
from psycopg import pq
from sqlalchemy import Engine, bindparam, select
from sqlalchemy.exc import DBAPIError

from ..catalog.hours import settings_of
from ..catalog.models import Service, ServiceKind
from ..extensions import db
from ..requests.availability import FreeSlot, window_slots

MAX_ENTRIES = 512


@dataclass(frozen=True)
class _Entry:
    version: int
    starts: list[dt.datetime]  # in order
    parts: list[bytes]  # each slot's JSON
    min_notice: dt.timedelta
    # the last answer made, by its cut: the cut moves only forward, as the clock passes a
    # slot's notice, so nearly every call finds it (one list item: replaced atomically)
    last: list = field(default_factory=lambda: [None], compare=False)


@dataclass(frozen=True)
class SlotsAnswer:
    body: bytes
    etag: str  # without quotes


_entries: OrderedDict[tuple, _Entry] = OrderedDict()
_lock = threading.Lock()


def _slot_part(slot: FreeSlot) -> bytes:
    return json.dumps({"start": slot.start.isoformat(), "end": slot.end.isoformat(),
                       "capacity": slot.capacity, "remaining": slot.remaining},
                      separators=(",", ":"), sort_keys=True).encode()  # as jsonify


def _entry(service_id: int, version: int, first: dt.date, last: dt.date,
           today: dt.date) -> _Entry:
    key = (service_id, first, last, today)
    with _lock:
        entry = _entries.get(key)
        if entry is not None and entry.version == version:
            _entries.move_to_end(key)
            return entry
    # compute outside the lock: two threads may both compute once after a change, harmlessly
    service = db.session.get(Service, service_id)
    slots = window_slots(service, first=first, last=last, today=today)
    # the rows read after the version are at least as new as it, never older
    entry = _Entry(version, [s.start for s in slots], [_slot_part(s) for s in slots],
                   settings_of(service).min_notice)
    with _lock:
        _entries[key] = entry
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return entry


@dataclass(frozen=True)
class ServiceVersion:
    id: int
    kind: ServiceKind
    slots_version: int


# the one statement of a cached call, prepared once per connection and run through libpq
# itself (psycopg.pq): SQLAlchemy's statement machinery, then psycopg's cursor, cost more CPU
# than the database's whole answer. Outside a transaction it runs in autocommit by itself.
_VERSION_SQL = "SELECT id, kind, slots_version FROM services WHERE code = $1 AND is_active"
_VERSION_NAME = b"service_desk_slots_version"
_services = Service.__table__.c
_VERSION_SELECT = (select(_services.id, _services.kind, _services.slots_version)
                   .where(_services.code == bindparam("code"), _services.is_active.is_(True)))
_PREPARED = "service_desk.slots_version_prepared"  # in the pool's per-connection info
_NO_SUCH_STATEMENT = b"26000"  # its connection ran DEALLOCATE ALL (a DROP or ALTER did)


def _prepare(pgconn) -> None:
    result = pgconn.prepare(_VERSION_NAME, _VERSION_SQL.encode())
    if result.status != pq.ExecStatus.COMMAND_OK:
        raise psycopg.errors.error_from_result(result)


def _version_row(pooled, code: str) -> tuple | None:
    """service_version's statement on a pooled psycopg connection that is idle."""
    pgconn = pooled.driver_connection.pgconn
    if not pooled.info.get(_PREPARED):
        _prepare(pgconn)
        pooled.info[_PREPARED] = True
    result = pgconn.exec_prepared(_VERSION_NAME, [code.encode()])
    if (result.status == pq.ExecStatus.FATAL_ERROR
            and result.error_field(pq.DiagnosticField.SQLSTATE) == _NO_SUCH_STATEMENT):
        _prepare(pgconn)
        result = pgconn.exec_prepared(_VERSION_NAME, [code.encode()])
    if result.status != pq.ExecStatus.TUPLES_OK:
        if pgconn.status == pq.ConnStatus.BAD:  # the server went away mid-statement
            raise psycopg.OperationalError(pgconn.get_error_message())
        raise psycopg.errors.error_from_result(result)
    if not result.ntuples:
        return None
    return (int(result.get_value(0, 0)), result.get_value(0, 1).decode(),
            int(result.get_value(0, 2)))


def _read_version(pooled, code: str) -> tuple | None:
    """_version_row, its driver's error handled as SQLAlchemy does for its own statements:
    the connection leaves the pool, and the error is SQLAlchemy's (an OperationalError
    answers 503, errors/)."""
    try:
        return _version_row(pooled, code)
    except psycopg.Error as exc:
        pooled.invalidate(exc)
        raise DBAPIError.instance(_VERSION_SQL, (code,), exc, psycopg.Error,
                                  connection_invalidated=True) from exc


def _as_version(row) -> ServiceVersion | None:
    return None if row is None else ServiceVersion(row[0], ServiceKind(row[1]), row[2])


def service_version(code: str) -> ServiceVersion | None:
    """The active service's id, kind and slots version. On PostgreSQL, outside a transaction
    already begun (or a test's shared connection), one prepared statement on a pooled
    connection, in autocommit: no BEGIN and ROLLBACK round trips, and each call sees the
    latest commits, which the version argument above allows. Elsewhere through the session."""
    # no Session made for the call when none is open yet: making one and closing it at the
    # request's end cost as much as the statement
    session = db.session() if db.session.registry.has() else None
    bind = (session.get_bind() if session is not None  # a session made bound (tests): its own
            else session_engine())
    if ((session is None or not session.in_transaction()) and isinstance(bind, Engine)
            and bind.dialect.name == "postgresql"):
        return engine_version(bind, code)
    row = db.session.execute(_VERSION_SELECT, {"code": code}).first()
    return _as_version(row)


def session_engine(app_engine: Engine | None = None) -> Engine | None:
    """The engine the app's sessions are made on (``app_engine`` when given: the app's, read
    without an app context); None when they are made bound to one connection (the tests'
    rolled-back transaction), which only the session may use."""
    bind = db.session.session_factory.kw.get("bind")
    if bind is None:
        return app_engine if app_engine is not None else db.engine
    return bind if isinstance(bind, Engine) else None


def engine_version(engine: Engine, code: str) -> ServiceVersion | None:
    """service_version on a connection of its own from ``engine``'s pool, outside any
    session (the slots lane reads it before Flask, with no app context)."""
    if engine.dialect.name == "postgresql":
        pooled = engine.raw_connection()  # through the pool: its checkout ping still applies
        try:
            row = _read_version(pooled, code)
        finally:
            pooled.close()
    else:
        with engine.connect() as conn:
            row = conn.execute(_VERSION_SELECT, {"code": code}).first()
    return _as_version(row)


class _HeldConnection(threading.local):
    engine: Engine | None = None
    pooled = None


_held = _HeldConnection()


def held_version(engine: Engine, code: str) -> ServiceVersion | None:
    """engine_version for the slots lane: on PostgreSQL, on a connection this thread keeps
    checked out of ``engine``'s pool from one call to the next (the pool's checkout and
    return, with their locks and events, cost a cached call more than the read itself). One
    connection per serving thread, idle between calls and in no transaction; a read that
    fails drops it from the pool (the lane then leaves the call to the route, and the next
    call takes a new one)."""
    if engine.dialect.name != "postgresql":
        return engine_version(engine, code)
    pooled = _held.pooled
    if pooled is None or _held.engine is not engine:
        if pooled is not None:
            pooled.close()  # another engine's (several apps in one process: the tests)
            _held.pooled = None
        pooled = engine.raw_connection()
        _held.pooled, _held.engine = pooled, engine
    try:
        row = _read_version(pooled, code)
    except DBAPIError:
        _held.pooled = _held.engine = None  # invalidated: a new one next call
        raise
    return _as_version(row)


def slots_answer(*, service_id: int, version: int, first: dt.date, last: dt.date,
                 today: dt.date, now: dt.datetime) -> SlotsAnswer:
    """The JSON array of free slots from ``first`` to ``last``, as free_slots gives them."""
    return _answer(_entry(service_id, version, first, last, today), service_id, version,
                   first, last, today, now)


def cached_answer(*, service_id: int, version: int, first: dt.date, last: dt.date,
                  today: dt.date, now: dt.datetime) -> SlotsAnswer | None:
    """slots_answer when this process holds the window for this version, else None (nothing
    read: the slots lane has no database session)."""
    key = (service_id, first, last, today)
    with _lock:
        entry = _entries.get(key)
        if entry is None or entry.version != version:
            return None
        _entries.move_to_end(key)
    return _answer(entry, service_id, version, first, last, today, now)


def _answer(entry: _Entry, service_id: int, version: int, first: dt.date, last: dt.date,
            today: dt.date, now: dt.datetime) -> SlotsAnswer:
    cut = bisect_left(entry.starts, now + entry.min_notice)
    made = entry.last[0]
    if made is not None and made[0] == cut:
        return made[1]
    answer = SlotsAnswer(b"[" + b",".join(entry.parts[cut:]) + b"]",
                         f"{service_id}.{version:x}.{first:%Y%m%d}.{last:%Y%m%d}."
                         f"{today:%Y%m%d}.{cut}")
    entry.last[0] = (cut, answer)
    return answer


def clear() -> None:
    with _lock:
        _entries.clear()
