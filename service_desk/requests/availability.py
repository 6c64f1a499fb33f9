"""When a service can be booked: its open periods (catalog/hours.py), closures (whole days, or
part of a day: a slot overlapping the closed part is not offered), the booking window, and what
is already booked.

A whole window costs two statements (hours and closures in one, slot counters) whatever its
length; the calendar arithmetic is plain Python. The API caches ``window_slots`` by the
service's slots version (api/slots_cache.py); the minimum notice is applied to each answer.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import (
    Date,
    Integer,
    bindparam,
    cast,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
)

from ..base.calendar import local_day, zone, zone_name
from ..catalog.hours import Settings, closed_span, periods_on, settings_of
from ..catalog.models import Closure, OpeningHours, Service, Slot
from ..extensions import db

# Core statements on the tables, built once: no per-call expression building, a cached
# compiled form, plain rows (a booking checks its time with the first, issue 13).
# The weekly hours and the window's closures in one round trip: rows (is_closure, weekday,
# starts, ends, on_date), the hours (weekday, opens, closes) in order, then the closures.
_hours, _closures, _slots = OpeningHours.__table__.c, Closure.__table__.c, Slot.__table__.c
_CALENDAR = union_all(
    select(literal_column("0", Integer).label("is_closure"), _hours.weekday.label("weekday"),
           _hours.opens.label("starts"), _hours.closes.label("ends"),
           cast(null(), Date).label("on_date"))
    .where(_hours.service_id == bindparam("service_id")),
    select(literal_column("1", Integer), null(), _closures.starts, _closures.ends,
           _closures.on_date)
    .where(or_(_closures.service_id == bindparam("service_id"), _closures.service_id.is_(None)),
           _closures.on_date >= bindparam("first"), _closures.on_date <= bindparam("last")),
).order_by("is_closure", "weekday", "starts")
_COUNTERS = select(_slots.starts_at, _slots.booked).where(
    _slots.service_id == bindparam("service_id"), _slots.starts_at >= bindparam("start"),
    _slots.starts_at < bindparam("end"))


def flush_pending() -> None:
    """What an ORM query's autoflush does before a Core statement, which has none: the
    session's pending changes go to the database first (unless autoflush is off), so the
    statement sees them."""
    if db.session.autoflush:
        db.session.flush()


@dataclass(frozen=True)
class FreeSlot:
    start: dt.datetime  # aware UTC
    end: dt.datetime
    capacity: int
    remaining: int


def _day_slots(day: dt.date, periods: list[tuple[dt.time, dt.time]], s: Settings):
    tz = zone()
    length = dt.timedelta(minutes=s.slot_minutes)
    for opens, closes in periods:
        start = dt.datetime.combine(day, opens, tzinfo=tz)
        end_of_period = dt.datetime.combine(day, closes, tzinfo=tz)
        while start + length <= end_of_period:
            yield start.astimezone(dt.UTC), (start + length).astimezone(dt.UTC)
            start += s.step


def free_slots(service: Service, *, first: dt.date, last: dt.date,
               now: dt.datetime) -> list[FreeSlot]:
    """Every offered slot from ``first`` to ``last`` (local dates) with its remaining places;
    full slots are included with remaining 0 so a page can say "full"."""
    earliest = now + settings_of(service).min_notice
    return [slot for slot in window_slots(service, first=first, last=last,
                                          today=now.astimezone(zone()).date())
            if slot.start >= earliest]


def window_slots(service: Service, *, first: dt.date, last: dt.date, today: dt.date,
                 counts: bool = True, calendar: list | None = None) -> list[FreeSlot]:
    """The slots of ``first``..``last`` within the booking window that starts ``today``, in
    order, before the minimum notice is applied: what depends on the day and the stored state
    only, so a cache keyed by the day and the service's slots version can hold it.
    ``counts=False`` skips the slot counters (remaining = capacity): whether a time is offered
    at all, for a caller whose guarded UPDATE decides whether there is room. ``calendar``:
    the rows of ``calendar_of`` for ``first``..``last``, read by the caller with another
    statement (a booking's lock, on PostgreSQL)."""
    s = settings_of(service)
    first, last = _in_window(s, first, last, today)
    if last < first:
        return []
    if calendar is None:
        flush_pending()
        calendar = db.session.execute(
            _CALENDAR, {"service_id": service.id, "first": first, "last": last}).all()
    tz = zone()
    window_start = dt.datetime.combine(first, dt.time.min, tzinfo=tz).astimezone(dt.UTC)
    window_end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min,
                                     tzinfo=tz).astimezone(dt.UTC)
    # plain rows, not Slot objects: only the counters are read
    booked = {starts_at: count for starts_at, count in db.session.execute(
        _COUNTERS, {"service_id": service.id, "start": window_start, "end": window_end})
              } if counts else {}
    return _slots_of(s, first, last, calendar, booked)


def _slots_of(s: Settings, first: dt.date, last: dt.date, calendar, booked: dict
              ) -> list[FreeSlot]:
    """window_slots once the calendar and the counters are read: a function of them alone."""
    hours: dict[int, list[tuple[dt.time, dt.time]]] = {}
    closed: set[dt.date] = set()  # whole days
    closed_parts: dict[dt.date, list[tuple[dt.datetime, dt.datetime]]] = {}
    for is_closure, weekday, starts, ends, on_date in calendar:
        if not is_closure:
            hours.setdefault(weekday, []).append((starts, ends))
        elif starts is None:
            closed.add(on_date)
        else:
            closed_parts.setdefault(on_date, []).append(closed_span(on_date, starts, ends))
    out: list[FreeSlot] = []
    day = first
    while day <= last:
        if day not in closed:
            parts = closed_parts.get(day, ())
            for start, end in _day_slots(day, periods_on(day, hours), s):
                if any(start < c_end and c_start < end for c_start, c_end in parts):
                    continue
                remaining = max(0, s.capacity - booked.get(start, 0))
                out.append(FreeSlot(start, end, s.capacity, remaining))
        day += dt.timedelta(days=1)
    return out


def offered_slot(service: Service, start: dt.datetime, *, now: dt.datetime,
                 counts: bool = True, calendar: list | None = None) -> FreeSlot | None:
    """The slot starting at ``start`` if it is one the service offers now (full or not);
    ``counts=False``: without reading its counter (remaining is the capacity). ``calendar``:
    ``calendar_of``'s rows for the local day of ``start``, if the caller read them."""
    day = local_day(start)
    settings = settings_of(service)
    earliest = now + settings.min_notice
    today = now.astimezone(zone()).date()
    if counts or calendar is None:
        slots = window_slots(service, first=day, last=day, today=today, counts=counts,
                             calendar=calendar)
    else:  # the same, kept: a function of the settings, the day and the calendar alone
        slots = _offered_on(settings, day, today, tuple(calendar), zone_name())
    return next((slot for slot in slots if slot.start == start and slot.start >= earliest),
                None)


@lru_cache(maxsize=1024)
def _offered_on(settings: Settings, day: dt.date, today: dt.date, calendar: tuple,
                zone: str) -> tuple[FreeSlot, ...]:
    # a booking's check that its time is offered: the day's slots were a thirtieth of its CPU
    # (issue 13); every booking of a day with the same hours and closures shares them.
    # ``zone`` (the display zone's name) is part of the key: the slots are its local times
    first, last = _in_window(settings, day, day, today)
    if last < first:
        return ()
    return tuple(_slots_of(settings, first, last, calendar, {}))


def _in_window(s: Settings, first: dt.date, last: dt.date, today: dt.date
               ) -> tuple[dt.date, dt.date]:
    """``first``..``last`` cut to the booking window that starts ``today`` (empty when the
    second comes before the first)."""
    return max(first, today), min(last, today + dt.timedelta(days=s.book_ahead_days))


def calendar_of(lead):
    """A statement of ``lead``'s columns (a SELECT of one row, given as a CTE) beside the
    rows ``_CALENDAR`` gives for ``service_id``, ``first``..``last`` (is_closure, weekday,
    starts, ends, on_date; NULLs when there are none): a caller that must run ``lead`` anyway
    reads the calendar in the same round trip."""
    calendar = _CALENDAR.subquery("calendar")
    return (select(*lead.c, *calendar.c)
            .select_from(lead.outerjoin(calendar, true()))
            .order_by(calendar.c.is_closure, calendar.c.weekday, calendar.c.starts))
