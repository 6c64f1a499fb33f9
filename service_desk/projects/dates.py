"""Dates at the source's precision (a day, a month, a quarter): period ends and lateness."""
from __future__ import annotations

import calendar
import datetime as dt

from .models import DatePrecision


def period_start(day: dt.date, precision: DatePrecision) -> dt.date:
    """The first day of the period `day` falls in (how month and quarter dates are stored)."""
    if precision is DatePrecision.MONTH:
        return day.replace(day=1)
    if precision is DatePrecision.QUARTER:
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day


def period_end(day: dt.date, precision: DatePrecision) -> dt.date:
    """The last day of the period: "June" is late only from 1 July."""
    if precision is DatePrecision.MONTH:
        return day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if precision is DatePrecision.QUARTER:
        last_month = 3 * ((day.month - 1) // 3) + 3
        return dt.date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])
    return day


def milestone_is_overdue(milestone, today: dt.date) -> bool:
    """Planned, not done, and the planned period ended before today."""
    if milestone.actual_on is not None or milestone.planned_on is None:
        return False
    return period_end(milestone.planned_on, milestone.precision) < today
