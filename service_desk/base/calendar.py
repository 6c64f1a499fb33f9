"""Time zone and China's working-day calendar: public holidays, their days off and the
make-up working days (调休). Times are stored in UTC; these turn them into local dates."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from flask import current_app

DEADLINE_TIME = dt.time(18, 0)  # a deadline ends at the close of the working day, local time


def zone_name() -> str:
    """The display zone's IANA name (SERVICE_DESK_TIMEZONE, Asia/Shanghai by default)."""
    return current_app.config["TIMEZONE"]


def zone() -> ZoneInfo:
    return ZoneInfo(zone_name())


def local(value: dt.datetime | None) -> dt.datetime | None:
    """An aware UTC datetime shown in the display zone."""
    if value is None:
        return None
    return value.astimezone(zone())


def local_day(moment: dt.datetime, zone_name: str | None = None) -> dt.date:
    """The local date of ``moment``, in the display zone (or ``zone_name``, for a caller
    with no app context: the slots lane)."""
    return moment.astimezone(ZoneInfo(zone_name) if zone_name else zone()).date()


def today() -> dt.date:
    """Today in the display zone: deadlines are local dates."""
    return dt.datetime.now(zone()).date()


def start_of_day(day: dt.date) -> dt.datetime:
    """Local midnight at the start of ``day``, in UTC."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone()).astimezone(dt.UTC)


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


def is_working_day(day: dt.date) -> bool:
    """Mon–Fri except public holidays and their days off; plus make-up Saturdays/Sundays (调休)."""
    if day in china_calendar(day.year):
        return False
    if day.weekday() >= 5:
        return is_makeup_workday(day)
    return True


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself does not count)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def deadline_after(now: dt.datetime, days: int, tz: ZoneInfo | None = None) -> dt.datetime:
    """18:00 local time on the ``days``-th working day after ``now``'s local date, in UTC."""
    tz = tz or zone()
    due = add_working_days(now.astimezone(tz).date(), days)
    return dt.datetime.combine(due, DEADLINE_TIME, tzinfo=tz).astimezone(dt.UTC)
