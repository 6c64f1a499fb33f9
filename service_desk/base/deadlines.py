"""Late and due soon, for anything with a deadline time (a dispatched request, a
rectification): one definition, as a Python check and as the SQL clause beside it."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_

from .calendar import zone

# a deadline within this time, and not yet passed, is "due soon"
DUE_SOON = dt.timedelta(hours=24)


def is_late(due_at: dt.datetime | None, now: dt.datetime) -> bool:
    return due_at is not None and due_at < now


def is_due_soon(due_at: dt.datetime | None, now: dt.datetime) -> bool:
    return due_at is not None and now <= due_at <= now + DUE_SOON


def late_clause(column, now: dt.datetime):
    return and_(column.is_not(None), column < now)


def due_soon_clause(column, now: dt.datetime):
    return and_(column >= now, column <= now + DUE_SOON)


def days_overdue(due_at: dt.datetime, now: dt.datetime) -> int:
    """Whole local days past the deadline; 0 = due (or late since) today, negative = days left."""
    tz = zone()
    return (now.astimezone(tz).date() - due_at.astimezone(tz).date()).days
