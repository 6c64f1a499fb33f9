"""A booking's writes as one statement on PostgreSQL (issue 13): the place in its slot, the
request row, its history, text and audit rows and the service's new slots version, as
data-modifying WITH queries in one round trip instead of four.

Each part writes only if the one it depends on wrote: a full slot takes no place, and then no
request is inserted; a reference already in use inserts no request, and then nothing else is
written and the version stays. The caller reads which happened from the two ids returned and
answers as the separate statements would have (``appointments.appointment_book``).

The request's id comes from its sequence beforehand (``appointments._phone_day_lock_and_id``), so
every row is built in Python, as on SQLite, by the same row builders.
"""
from __future__ import annotations

from functools import cache
from typing import NamedTuple

from sqlalchemy import Integer, Table, bindparam, exists, literal_column, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ..catalog.models import Service, Slot
from ..db import with_defaults
from .models import ServiceRequest

_slots, _requests, _services = Slot.__table__, ServiceRequest.__table__, Service.__table__
_PLACE = ("service_id", "starts_at", "ends_at", "capacity")
_ONE = literal_column("1", Integer)


class Booked(NamedTuple):
    slot_id: int | None  # None: the slot was full
    request_id: int | None  # None: no place, or the reference was taken


def _typed(name: str, table: Table, key: str):
    # a SELECT list's parameter needs its column's type (a NULL would be text): psycopg's
    # dialect writes it as name::TYPE. No other parameters and no CAST(): past 50 parameters
    # or 4,096 characters psycopg parses the statement anew on every call
    return bindparam(name, type_=table.c[key].type)


@cache
def _statement(request_keys: tuple[str, ...],
               rows: tuple[tuple[Table, tuple[str, ...]], ...]):
    place_insert = pg_insert(_slots).from_select(
        [*_PLACE, "booked"],
        select(*(_typed(f"p_{key}", _slots, key) for key in _PLACE), _ONE),
        include_defaults=False)
    place = place_insert.on_conflict_do_update(
        index_elements=[_slots.c.service_id, _slots.c.starts_at],
        # the given capacity is the slot's capacity now; the guard is the overbooking check
        set_={"booked": _slots.c.booked + _ONE, "capacity": place_insert.excluded.capacity},
        where=_slots.c.booked < place_insert.excluded.capacity,
    ).returning(_slots.c.id).cte("place")
    request = pg_insert(_requests).from_select(
        [*request_keys, "slot_id"],
        select(*(_typed(f"q_{key}", _requests, key) for key in request_keys), place.c.id),
        include_defaults=False,
    ).on_conflict_do_nothing(index_elements=[_requests.c.reference]) \
        .returning(_requests.c.id).cte("request")
    ctes = [place, request]
    for i, (table, keys) in enumerate(rows):
        ctes.append(table.insert().from_select(
            list(keys),
            select(*(_typed(f"r{i}_{key}", table, key) for key in keys)).select_from(request),
            include_defaults=False).cte(f"r{i}"))
    ctes.append(update(_services)
                .where(_services.c.id == bindparam("p_service_id"),
                       exists(select(request.c.id)))
                .values(slots_version=bindparam("version"))
                .returning(_services.c.id).cte("version"))
    return select(select(place.c.id).scalar_subquery(),
                  select(request.c.id).scalar_subquery()).add_cte(*ctes)


def book_in_one_statement(session: Session, *, place: dict, request: dict,
                          rows: list[tuple[Table, dict]], version: int) -> Booked:
    """Take a place in ``place``'s slot (service_id, starts_at, ends_at, capacity), insert
    ``request`` (every column but slot_id, the id included) and ``rows``, and give the
    service ``version``: all of it, or nothing past the part that could not be written."""
    session.flush()  # pending changes first, as the separate statements' flushes did
    rows = [(table, with_defaults(table, values)) for table, values in rows]
    params = {f"p_{key}": place[key] for key in _PLACE}
    params.update({f"q_{key}": value for key, value in request.items()})
    for i, (_, values) in enumerate(rows):
        params.update({f"r{i}_{key}": value for key, value in values.items()})
    params["version"] = version
    statement = _statement(tuple(request), tuple((table, tuple(values)) for table, values in rows))
    slot_id, request_id = session.execute(statement, params).one()
    return Booked(slot_id, request_id)
