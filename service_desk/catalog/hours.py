"""A service's booking settings and its open periods on a day: weekly hours, public holidays
and their days off, and make-up working days (调休). Plain Python, no statements."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..base.calendar import is_holiday, is_makeup_workday
from .models import Service, ServiceLocation

DEFAULT_SLOT_MINUTES = 30
DEFAULT_CAPACITY = 1
DEFAULT_BOOK_AHEAD_DAYS = 14
DEFAULT_MIN_NOTICE_MINUTES = 120


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
