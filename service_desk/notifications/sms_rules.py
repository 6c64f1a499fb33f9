"""When a text may go: quiet hours, the wait after a failed try, the day of the per-phone cap.

Pure functions of the time and the configuration, so they are tested without a database.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo


class QuietHoursError(ValueError):
    """SERVICE_DESK_SMS_QUIET_HOURS is not "HH:MM-HH:MM"."""


def parse_quiet_hours(spec: str | None) -> tuple[dt.time, dt.time] | None:
    """"21:00-08:00" → (21:00, 08:00); empty → None (no quiet hours)."""
    if not spec or not str(spec).strip():
        return None
    try:
        start, end = (dt.time.fromisoformat(part.strip()) for part in str(spec).split("-"))
    except ValueError:
        raise QuietHoursError(f"SERVICE_DESK_SMS_QUIET_HOURS must look like 21:00-08:00, "
                              f"not {spec!r}") from None
    if start == end:
        raise QuietHoursError("SERVICE_DESK_SMS_QUIET_HOURS starts and ends at the same time")
    return start, end


def quiet_until(now: dt.datetime, hours: tuple[dt.time, dt.time] | None,
                tz: ZoneInfo) -> dt.datetime | None:
    """The end of the quiet hours ``now`` falls in (aware UTC), or None outside them."""
    if hours is None:
        return None
    start, end = hours
    here = now.astimezone(tz)
    clock = here.time().replace(tzinfo=None)
    if start < end:  # the same day, e.g. 12:00-13:30
        quiet = start <= clock < end
        end_day = here.date()
    else:  # across midnight, e.g. 21:00-08:00
        quiet = clock >= start or clock < end
        end_day = here.date() + dt.timedelta(days=1) if clock >= start else here.date()
    if not quiet:
        return None
    return dt.datetime.combine(end_day, end, tzinfo=tz).astimezone(dt.UTC)


def backoff(tries: int, schedule: Sequence[int]) -> dt.timedelta:
    """The wait after the ``tries``-th failed try (the schedule's last step repeats)."""
    steps = list(schedule) or [300]
    return dt.timedelta(seconds=int(steps[min(max(tries, 1), len(steps)) - 1]))


def day_start(now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """Local midnight of ``now``'s day, in UTC: the per-phone cap counts from there."""
    return dt.datetime.combine(now.astimezone(tz).date(), dt.time.min,
                               tzinfo=tz).astimezone(dt.UTC)
