"""A booking's check and writes as one statement on PostgreSQL (issue 13): the phone's active
bookings that day, the place in its slot, the request row, its history, text and audit rows and
the service's new slots version, as WITH queries in one round trip instead of five.

Each part writes only if the one it depends on wrote: a phone that holds its allowance that day
takes no place, a full slot or a reference already stored takes none either, and without a
place no request is inserted; a reference drawn by a booking not yet committed inserts no
request (its place is then taken), and then nothing else is written and the version stays. The caller reads which happened from what is returned and answers as the separate
statements would have (``appointments.appointment_book``). The phone's bookings are read after
the phone's-day lock was taken (the statement before), so they include every booking of that
phone committed before it, as the separate check did.

The request's id comes from its sequence beforehand (``appointments._phone_day_lock_and_id``), so
every row is built in Python, as on SQLite, by the same row builders.
"""
from __future__ import annotations

import datetime as dt
from functools import cache
from typing import NamedTuple

from sqlalchemy import Integer, Table, bindparam, exists, func, literal_column, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ..catalog.models import Service, Slot
from ..db import with_defaults
from ..driver_sql import DriverStatement
from .models import RequestStatus, ServiceRequest

_slots, _requests, _services = Slot.__table__, ServiceRequest.__table__, Service.__table__
_PLACE = ("service_id", "starts_at", "ends_at", "capacity")
_ONE = literal_column("1", Integer)


class Booked(NamedTuple):
    slot_id: int | None  # None: the phone's day was full, or the slot, or the reference taken
    request_id: int | None  # None: no place, or the reference was taken
    reference_taken: bool  # by a stored request: nothing was written
    held: int  # the phone's active bookings of the service that day (up to the allowance)
    first_held: int | None  # the first of them, by time


class PhoneDay(NamedTuple):
    """The allowance of active bookings of one phone for the service on a day."""
    day_start: dt.datetime
    day_end: dt.datetime
    allowed: int  # at least 1


def _typed(name: str, table: Table, key: str):
    # a SELECT list's parameter needs its column's type (a NULL would be text): psycopg's
    # dialect writes it as name::TYPE. No other parameters and no CAST(): past 50 parameters
    # or 4,096 characters psycopg parses the statement anew on every call
    return bindparam(name, type_=table.c[key].type)


# a request column given by another parameter of the statement: the request's service and
# times are its place's, and a new request was last updated when it was made
_REQUEST_SAME_AS = {"service_id": ("p_service_id", _slots), "starts_at": ("p_starts_at", _slots),
                    "ends_at": ("p_ends_at", _slots), "updated_at": ("q_created_at", _requests)}


def _same_as(key: str):
    name, table = _REQUEST_SAME_AS[key]
    return _typed(name, table, name[2:])


@cache
def _of_request(table: Table, key: str) -> bool:
    """A row's column that holds the new request's id (a history row's request_id)."""
    return any(fk.column is _requests.c.id for fk in table.c[key].foreign_keys)


def _literal(value: str | int):
    # constants of the statement's shape are written in it, not bound: each parameter counts
    # towards psycopg's 50 (the statuses are our enum's values; the allowance an int)
    if isinstance(value, str):
        return literal_column("'" + value.replace("'", "''") + "'")
    return literal_column(str(int(value)))


def _held(statuses: tuple[RequestStatus, ...], allowed: int):
    # or_, not IN: a DriverStatement takes no expanding IN
    return (select(_requests.c.id, _requests.c.starts_at)
            .where(_requests.c.service_id == _typed("p_service_id", _slots, "service_id"),
                   _requests.c.resident_phone == _typed("q_resident_phone", _requests,
                                                        "resident_phone"),
                   or_(*(_requests.c.status == _literal(status.value) for status in statuses)),
                   _requests.c.starts_at >= _typed("h_day_start", _requests, "starts_at"),
                   _requests.c.starts_at < _typed("h_day_end", _requests, "starts_at"))
            .order_by(_requests.c.starts_at, _requests.c.id)
            .limit(_literal(allowed)).cte("held"))


@cache
def _statement(request_keys: tuple[str, ...],
               rows: tuple[tuple[Table, tuple[str, ...]], ...],
               held_rule: tuple[tuple[RequestStatus, ...], int] | None) -> DriverStatement:
    taken = select(exists().where(
        _requests.c.reference == _typed("q_reference", _requests, "reference"))
        .label("taken")).cte("ref")
    reference_taken = select(taken.c.taken).scalar_subquery()
    # a reference already stored takes no place: nothing is written, and the caller draws
    # another (a booking that commits with its statement could not take the place back)
    chosen = select(*(_typed(f"p_{key}", _slots, key) for key in _PLACE), _ONE) \
        .where(~reference_taken)
    held = None
    if held_rule is not None:
        held = _held(*held_rule)
        chosen = chosen.where(select(func.count()).select_from(held).scalar_subquery()
                              < _literal(held_rule[1]))
    place_insert = pg_insert(_slots).from_select([*_PLACE, "booked"], chosen,
                                                 include_defaults=False)
    place = place_insert.on_conflict_do_update(
        index_elements=[_slots.c.service_id, _slots.c.starts_at],
        # the given capacity is the slot's capacity now; the guard is the overbooking check
        set_={"booked": _slots.c.booked + _ONE, "capacity": place_insert.excluded.capacity},
        where=_slots.c.booked < place_insert.excluded.capacity,
    ).returning(_slots.c.id).cte("place")
    request = pg_insert(_requests).from_select(
        [*request_keys, "slot_id"],
        select(*(_same_as(key) if key in _REQUEST_SAME_AS else _typed(f"q_{key}", _requests, key)
                 for key in request_keys), place.c.id),
        include_defaults=False,
    ).on_conflict_do_nothing(index_elements=[_requests.c.reference]) \
        .returning(_requests.c.id).cte("request")
    ctes = [taken, place, request]
    for i, (table, keys) in enumerate(rows):
        ctes.append(table.insert().from_select(
            list(keys),
            select(*(request.c.id if _of_request(table, key) else _typed(f"r{i}_{key}", table, key)
                     for key in keys)).select_from(request),
            include_defaults=False).cte(f"r{i}"))
    ctes.append(update(_services)
                .where(_services.c.id == bindparam("p_service_id"),
                       exists().select_from(request))
                .values(slots_version=bindparam("version"))
                .returning(_services.c.id).cte("version"))
    answer = [select(place.c.id).scalar_subquery(), select(request.c.id).scalar_subquery(),
              reference_taken]
    if held is not None:
        ctes.insert(0, held)
        answer += [select(func.count()).select_from(held).scalar_subquery(),
                   select(held.c.id).order_by(held.c.starts_at, held.c.id).limit(_literal(1))
                   .scalar_subquery()]
    return DriverStatement(select(*answer).add_cte(*ctes))


def book_in_one_statement(session: Session, *, place: dict, request: dict,
                          rows: list[tuple[Table, dict]], version: int,
                          phone_day: PhoneDay | None,
                          active: tuple[RequestStatus, ...], commit: bool = False) -> Booked:
    """Take a place in ``place``'s slot (service_id, starts_at, ends_at, capacity), insert
    ``request`` (every column but slot_id, the id included; its service and times the
    place's) and ``rows`` (a column referring to the request holding its id), and give the
    service ``version``: all of it, or nothing past the part that could not be written.
    With ``phone_day``, nothing is written when the request's phone already holds that many
    bookings in an ``active`` status between its times. ``commit``: the transaction ends
    with the statement (DriverStatement.rows)."""
    for key, (name, _) in _REQUEST_SAME_AS.items():
        given = place[name[2:]] if name.startswith("p_") else request[name[2:]]
        if request[key] != given:
            raise ValueError(f"the request's {key} is not its {name[2:]}")
    session.flush()  # pending changes first, as the separate statements' flushes did
    rows = [(table, with_defaults(table, values)) for table, values in rows]
    params = {f"p_{key}": place[key] for key in _PLACE}
    params.update({f"q_{key}": value for key, value in request.items()
                   if key not in _REQUEST_SAME_AS})
    for i, (table, values) in enumerate(rows):
        for key, value in values.items():
            if not _of_request(table, key):
                params[f"r{i}_{key}"] = value
            elif value != request["id"]:
                raise ValueError(f"{table.name}.{key} is not the new request's id")
    params["version"] = version
    if phone_day is not None:
        params.update(h_day_start=phone_day.day_start, h_day_end=phone_day.day_end)
    statement = _statement(tuple(request), tuple((table, tuple(values)) for table, values in rows),
                           (active, phone_day.allowed) if phone_day is not None else None)
    answer = statement.rows(session, params, commit=commit)[0]
    if phone_day is None:
        return Booked(*answer, 0, None)
    return Booked(*answer)
