"""When a service can be booked: its open periods (catalog/hours.py), closures, the booking
window, and what is already booked.

A whole window costs three statements (hours, closures, slot counters) whatever its length;
the calendar arithmetic is plain Python.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select

from ..base.calendar import local_day, zone
from ..catalog.hours import Settings, periods_on, settings_of
from ..catalog.models import Closure, OpeningHours, Service, Slot
from ..extensions import db


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
    s = settings_of(service)
    today = now.astimezone(zone()).date()
    first = max(first, today)
    last = min(last, today + dt.timedelta(days=s.book_ahead_days))
    if last < first:
        return []
    hours: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for row in db.session.scalars(select(OpeningHours).where(OpeningHours.service_id == service.id)
                                  .order_by(OpeningHours.weekday, OpeningHours.opens)):
        hours.setdefault(row.weekday, []).append((row.opens, row.closes))
    closed = set(db.session.scalars(select(Closure.on_date).where(
        or_(Closure.service_id == service.id, Closure.service_id.is_(None)),
        Closure.on_date >= first, Closure.on_date <= last)))
    tz = zone()
    window_start = dt.datetime.combine(first, dt.time.min, tzinfo=tz).astimezone(dt.UTC)
    window_end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min,
                                     tzinfo=tz).astimezone(dt.UTC)
    booked = {row.starts_at: row.booked for row in db.session.scalars(
        select(Slot).where(Slot.service_id == service.id, Slot.starts_at >= window_start,
                           Slot.starts_at < window_end))}
    earliest = now + s.min_notice
    out: list[FreeSlot] = []
    day = first
    while day <= last:
        if day not in closed:
            for start, end in _day_slots(day, periods_on(day, hours), s):
                if start < earliest:
                    continue
                remaining = max(0, s.capacity - booked.get(start, 0))
                out.append(FreeSlot(start, end, s.capacity, remaining))
        day += dt.timedelta(days=1)
    return out


def offered_slot(service: Service, start: dt.datetime, *, now: dt.datetime) -> FreeSlot | None:
    """The slot starting at ``start`` if it is one the service offers now (full or not)."""
    day = local_day(start)
    return next((slot for slot in free_slots(service, first=day, last=day, now=now)
                 if slot.start == start), None)
