"""A service's booking settings and its open periods on a day: weekly hours, public holidays
and their days off, and make-up working days (调休). Plain Python, no statements."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..base.calendar import is_holiday, is_makeup_workday, zone
from .models import DEFAULT_MAX_ACTIVE_PER_PHONE_PER_DAY, Service, ServiceKind, ServiceLocation

DEFAULT_SLOT_MINUTES = 30
DEFAULT_CAPACITY = 1
DEFAULT_BOOK_AHEAD_DAYS = 14
DEFAULT_MIN_NOTICE_MINUTES = 120
DEFAULT_TRAVEL_BUFFER_MINUTES = 0
DEFAULT_DISPATCH_DAYS = 5


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
    travel = ((service.travel_buffer_minutes or DEFAULT_TRAVEL_BUFFER_MINUTES)
              if service.location is ServiceLocation.HOME else 0)
    return Settings(
        slot_minutes=minutes,
        capacity=service.capacity or DEFAULT_CAPACITY,
        book_ahead_days=service.book_ahead_days or DEFAULT_BOOK_AHEAD_DAYS,
        min_notice=dt.timedelta(minutes=service.min_notice_minutes
                                if service.min_notice_minutes is not None
                                else DEFAULT_MIN_NOTICE_MINUTES),
        step=dt.timedelta(minutes=minutes + travel),
    )


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


def dispatch_days_of(service: Service) -> int:
    """Working days a unit has to resolve a dispatched request."""
    return service.dispatch_days if service.dispatch_days and service.dispatch_days > 0 \
        else DEFAULT_DISPATCH_DAYS


@dataclass(frozen=True)
class InForce:
    """A setting's value in force and whether an administrator set it (else the default)."""

    name: str
    value: int
    is_set: bool


def settings_in_force(service: Service) -> dict[str, InForce]:
    """Every setting that applies to the service, with the value the booking and dispatch
    rules use (read from settings_of / dispatch_days_of, never a second copy of a default)."""
    if service.kind is ServiceKind.DISPATCH:
        return {"dispatch_days": InForce("dispatch_days", dispatch_days_of(service),
                                         bool(service.dispatch_days and service.dispatch_days > 0))}
    s = settings_of(service)
    out = [
        InForce("duration_minutes", s.slot_minutes, bool(service.duration_minutes)),
        InForce("capacity", s.capacity, bool(service.capacity)),
        InForce("book_ahead_days", s.book_ahead_days, bool(service.book_ahead_days)),
        InForce("min_notice_minutes", int(s.min_notice.total_seconds() // 60),
                service.min_notice_minutes is not None),
    ]
    if service.location is ServiceLocation.HOME:
        out.append(InForce("travel_buffer_minutes", int(s.step.total_seconds() // 60)
                           - s.slot_minutes, bool(service.travel_buffer_minutes)))
    # always stored (NOT NULL): it counts as set once it differs from the column's default
    limit = service.max_active_per_phone_per_day or DEFAULT_MAX_ACTIVE_PER_PHONE_PER_DAY
    out.append(InForce("max_active_per_phone_per_day", limit,
                       limit != DEFAULT_MAX_ACTIVE_PER_PHONE_PER_DAY))
    return {item.name: item for item in out}


def closed_span(day: dt.date, starts: dt.time | None,
                ends: dt.time | None) -> tuple[dt.datetime, dt.datetime]:
    """The closed part of a local day as aware UTC [start, end): the whole day when the
    closure has no times."""
    tz = zone()
    start = dt.datetime.combine(day, starts or dt.time.min, tzinfo=tz)
    end = (dt.datetime.combine(day, ends, tzinfo=tz) if ends is not None
           else dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)
