"""The days a slots call asks for: ``from`` and ``to`` as dates, by default the next week,
at most MAX_RANGE_DAYS apart. One rule for the route and the slots lane."""
from __future__ import annotations

import datetime as dt

MAX_RANGE_DAYS = 62
DEFAULT_DAYS = 7


def _date(raw: str | None, default: dt.date) -> dt.date | None:
    if raw is None:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def slots_window(raw_from: str | None, raw_to: str | None,
                 today: dt.date) -> tuple[dt.date, dt.date] | dict[str, str]:
    """(first, last), or what is wrong with each field."""
    first = _date(raw_from, today)
    last = _date(raw_to, today + dt.timedelta(days=DEFAULT_DAYS))
    fields = {}
    if first is None:
        fields["from"] = "a date YYYY-MM-DD"
    if last is None:
        fields["to"] = "a date YYYY-MM-DD"
    if fields:
        return fields
    assert first is not None and last is not None
    if last < first:
        return {"to": "must not be before from"}
    if (last - first).days > MAX_RANGE_DAYS:
        return {"to": f"at most {MAX_RANGE_DAYS} days after from"}
    return first, last
