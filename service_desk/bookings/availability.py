"""When a service can be booked: opening hours, holidays and make-up working days (调休),
closures, the booking window, and what is already booked.

A whole window costs three statements (hours, closures, slot counters) whatever its length;
the calendar arithmetic is plain Python.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from flask import current_app
from sqlalchemy import or_, select

from ..catalog.models import Closure, OpeningHours, Service, ServiceLocation
from ..extensions import db
from .models import Slot

DEFAULT_SLOT_MINUTES = 30
DEFAULT_CAPACITY = 1
DEFAULT_BOOK_AHEAD_DAYS = 14
DEFAULT_MIN_NOTICE_MINUTES = 120


@dataclass(frozen=True)
class FreeSlot:
    start: dt.datetime  # aware UTC
    end: dt.datetime
    capacity: int
    remaining: int


@dataclass(frozen=True)
class Settings:
    slot_minutes: int
    capacity: int
    book_ahead_days: int
    min_notice: dt.timedelta
    step: dt.timedelta  # slot length plus travel for home visits


def settings_of(service: Service) -> Settings:
    """The service's booking settings, with safe defaults where an admin set none."""
    minutes = service.duration_minutes or DEFAULT_SLOT_MINUTES
    travel = (service.travel_buffer_minutes or 0) if service.location is ServiceLocation.HOME else 0
    return Settings(
        slot_minutes=minutes,
        capacity=service.capacity or DEFAULT_CAPACITY,
        book_ahead_days=service.book_ahead_days or DEFAULT_BOOK_AHEAD_DAYS,
        min_notice=dt.timedelta(minutes=service.min_notice_minutes
                                if service.min_notice_minutes is not None
                                else DEFAULT_MIN_NOTICE_MINUTES),
        step=dt.timedelta(minutes=minutes + travel),
    )


@lru_cache(maxsize=16)
def china_calendar(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year)


def is_makeup_workday(day: dt.date) -> bool:
    """An official make-up working day (调休上班), usually a Saturday or Sunday."""
    return day in getattr(china_calendar(day.year), "weekend_workdays", set())


def is_holiday(day: dt.date) -> bool:
    """A public holiday or a day off it brings; also a weekend inside a holiday break
    (2026-10-04, a Sunday of the National Day week, is in no list but is part of the break)."""
    calendar = china_calendar(day.year)
    if day in calendar:
        return True
    if day.weekday() < 5 or is_makeup_workday(day):
        return False
    near = [day + dt.timedelta(days=k) for k in (-2, -1, 1, 2)]
    before = any(d in china_calendar(d.year) for d in near[:2])
    after = any(d in china_calendar(d.year) for d in near[2:])
    return before and after


def periods_on(day: dt.date, hours: dict[int, list[tuple[dt.time, dt.time]]]):
    """The open periods of a day: none on a public holiday, its days off or a weekend inside
    the break; a make-up working day opens with Monday's hours unless the service has hours
    for that weekday."""
    if is_holiday(day):
        return []
    own = hours.get(day.weekday(), [])
    if day.weekday() >= 5 and not own and is_makeup_workday(day):
        return hours.get(0, [])
    return own


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _day_slots(day: dt.date, periods: list[tuple[dt.time, dt.time]], s: Settings):
    tz = zone()
    length = dt.timedelta(minutes=s.slot_minutes)
    for opens, closes in periods:
        start = dt.datetime.combine(day, opens, tzinfo=tz)
        end_of_period = dt.datetime.combine(day, closes, tzinfo=tz)
        while start + length <= end_of_period:
            yield start.astimezone(dt.timezone.utc), (start + length).astimezone(dt.timezone.utc)
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
    window_start = dt.datetime.combine(first, dt.time.min, tzinfo=tz).astimezone(dt.timezone.utc)
    window_end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min,
                                     tzinfo=tz).astimezone(dt.timezone.utc)
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
