"""Writes: a service's booking settings and weekly hours (all or nothing), and closures.

Service has no version column, so a save carries the fingerprint of the state its form was
built from; the service row is locked first (a no-op UPDATE, which PostgreSQL and SQLite both
serialise) so that two saves cannot both pass the check.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from ..audit.services import audit_record
from ..extensions import db
from ..formfields import DATE_MESSAGE
from ..units.models import Unit
from .hours import closed_span
from .models import Closure, OpeningHours, Service, ServiceKind, ServiceLocation, Slot
from .queries import closures_in_scope, fingerprint, hours_of, snapshot
from .slot_versions import slots_changed

MAX_PERIODS = 3  # per weekday: morning, afternoon, evening
RANGES = {
    "duration_minutes": (5, 240),
    "capacity": (1, 100),
    "book_ahead_days": (1, 180),
    "min_notice_minutes": (0, 10080),
    "travel_buffer_minutes": (0, 240),
    "dispatch_days": (1, 60),
    "max_active_per_phone_per_day": (1, 20),
}


class SettingsError(ValueError):
    """Bad settings; ``errors`` maps a setting name or an hours key to a message."""

    def __init__(self, errors: dict) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class StaleSettings(Exception):
    """Someone saved this service since the form was built; ``current`` is the stored state."""

    def __init__(self, current: dict) -> None:
        super().__init__("stale settings")
        self.current = current


class ClosureError(ValueError):
    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass(frozen=True)
class PeriodInput:
    """One period as typed: None where the box was left empty."""

    weekday: int  # Monday = 0
    index: int  # 0..MAX_PERIODS-1, the row on the form
    opens: dt.time | None
    closes: dt.time | None


def editable_settings(service: Service) -> tuple[str, ...]:
    """Which settings apply: slots for appointments (travel for home visits), a deadline for
    dispatched requests."""
    if service.kind is ServiceKind.DISPATCH:
        return ("dispatch_days",)
    names = ("duration_minutes", "capacity", "book_ahead_days", "min_notice_minutes")
    if service.location is ServiceLocation.HOME:
        names += ("travel_buffer_minutes",)
    return (*names, "max_active_per_phone_per_day")


def settings_errors(service: Service, values: dict[str, int | None]) -> dict[str, object]:
    errors: dict[str, object] = {}
    allowed = editable_settings(service)
    for name, value in values.items():
        if name not in allowed:
            errors[name] = _l("This setting does not apply to this service.")
            continue
        low, high = RANGES[name]
        if value is None or not low <= value <= high:
            errors[name] = range_message(name)
    for name in allowed:
        if name not in values:
            errors[name] = range_message(name)
    return errors


def range_message(name: str):
    low, high = RANGES[name]
    return _l("Enter a whole number from %(low)d to %(high)d.", low=low, high=high)


def hours_errors(periods: Iterable[PeriodInput]) -> dict[tuple[int, int, str], object]:
    """Problems keyed (weekday, index, "opens" | "closes"): half-filled periods, opening not
    before closing, periods of a day that overlap. Empty periods are simply not there."""
    errors: dict[tuple[int, int, str], object] = {}
    complete: dict[int, list[PeriodInput]] = {}
    for p in periods:
        if not 0 <= p.weekday <= 6 or not 0 <= p.index < MAX_PERIODS:
            raise ValueError(f"no such period: {p}")
        if p.opens is None and p.closes is None:
            continue
        if p.opens is None:
            errors[(p.weekday, p.index, "opens")] = _l("Enter the opening time too, or clear the closing time.")
        elif p.closes is None:
            errors[(p.weekday, p.index, "closes")] = _l("Enter the closing time too, or clear the opening time.")
        elif p.opens >= p.closes:
            errors[(p.weekday, p.index, "closes")] = _l("The closing time must be later than the opening time.")
        else:
            complete.setdefault(p.weekday, []).append(p)
    for day_periods in complete.values():
        day_periods.sort(key=lambda p: (p.opens, p.closes))
        for before, after in pairwise(day_periods):
            if after.opens < before.closes:
                errors[(after.weekday, after.index, "opens")] = _l(
                    "This period overlaps another period of the same day (%(opens)s–%(closes)s).",
                    opens=before.opens.strftime("%H:%M"), closes=before.closes.strftime("%H:%M"))
    return errors


def _lock(service_id: int) -> None:
    """Take the service row's write lock for the rest of the transaction."""
    db.session.execute(update(Service).where(Service.id == service_id)
                       .values(is_active=Service.is_active)
                       .execution_options(synchronize_session=False))


def _stored_state(service: Service) -> dict:
    db.session.refresh(service)
    unit_code = (db.session.scalar(select(Unit.code).where(Unit.id == service.unit_id))
                 if service.unit_id is not None else None)
    return snapshot(service, unit_code=unit_code, hours=hours_of(service.id))


def service_settings_save(*, service: Service, actor, expected_fingerprint: str, unit: Unit | None,
                          is_active: bool, values: dict[str, int | None],
                          periods: list[PeriodInput]) -> bool:
    """Replace the settings and the weekly hours in one go; False when nothing changed.

    Raises StaleSettings when the stored state is no longer the one the form showed, and
    SettingsError (every problem at once) on bad input; nothing is written in either case.
    """
    _lock(service.id)
    before = _stored_state(service)
    if fingerprint(before) != expected_fingerprint:
        raise StaleSettings(before)
    errors: dict = {**settings_errors(service, values), **hours_errors(periods)}
    if unit is None:
        errors["unit"] = _l("Choose the unit that provides this service.")
    if errors:
        raise SettingsError(errors)
    hours: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for p in periods:
        if p.opens is not None and p.closes is not None:
            hours.setdefault(p.weekday, []).append((p.opens, p.closes))
    for name, value in values.items():
        setattr(service, name, value)
    service.unit_id = unit.id
    service.is_active = is_active
    after = snapshot(service, unit_code=unit.code, hours=hours)
    if after == before:
        return False
    if after["hours"] != before["hours"]:
        db.session.execute(delete(OpeningHours).where(OpeningHours.service_id == service.id))
        db.session.add_all(OpeningHours(service_id=service.id, weekday=day, opens=opens,
                                        closes=closes)
                           for day, day_periods in hours.items() for opens, closes in day_periods)
    db.session.flush()
    audit_record(actor=actor, action="service.settings", obj_type="service", obj_id=service.code,
                 before=before, after=after)
    slots_changed(service.id)
    return True


MAX_CLOSURE_DAYS = 366  # one closure form closes at most a year of days


@dataclass(frozen=True)
class ClosureSpan:
    """What one closure form closes: every day from ``first`` to ``last``, wholly (no times)
    or from ``starts`` to ``ends`` local time on each of them."""

    first: dt.date
    last: dt.date
    starts: dt.time | None = None
    ends: dt.time | None = None

    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def intervals(self) -> list[tuple[dt.datetime, dt.datetime]]:
        """The closed times as aware UTC [start, end), one per day."""
        if self.starts is None:  # whole days: one stretch
            return [(closed_span(self.first, None, None)[0], closed_span(self.last, None, None)[1])]
        return [closed_span(day, self.starts, self.ends) for day in self.days()]


def closure_span(*, on_date: dt.date | None, last_date: dt.date | None = None,
                 starts: dt.time | None = None, ends: dt.time | None = None,
                 today: dt.date) -> ClosureSpan:
    """Check the dates and times of a closure; ClosureError names the field at fault."""
    if on_date is None:
        raise ClosureError(DATE_MESSAGE, "on_date")
    if on_date < today:
        raise ClosureError(_l("The date is in the past: closures are for today or later."), "on_date")
    last = last_date or on_date
    if last < on_date:
        raise ClosureError(_l("The last day must be the first day or later."), "last_date")
    if (last - on_date).days + 1 > MAX_CLOSURE_DAYS:
        raise ClosureError(_l("Close at most %(n)d days at once: choose an earlier last day.",
                              n=MAX_CLOSURE_DAYS), "last_date")
    if starts is None and ends is not None:
        raise ClosureError(_l("Enter the time the closure starts too, or clear the end time."),
                           "starts")
    if starts is not None and ends is None:
        raise ClosureError(_l("Enter the time the closure ends too, or clear the start time."),
                           "ends")
    if starts is not None and ends is not None and ends <= starts:
        raise ClosureError(_l("The end time must be later than the start time, on the same day."),
                           "ends")
    return ClosureSpan(on_date, last, starts, ends)


def _places_taken(service_id: int | None, span: ClosureSpan) -> int:
    """Places taken in the slots overlapping the closed times (of one service, or of all when
    None): the slot counters hold a place for every booking that is not cancelled, so the
    catalogue can say how many residents a closure affects without reading their requests."""
    overlaps = [(Slot.starts_at < end) & (Slot.ends_at > start) for start, end in span.intervals()]
    stmt = select(func.coalesce(func.sum(Slot.booked), 0)).where(or_(*overlaps))
    if service_id is not None:
        stmt = stmt.where(Slot.service_id == service_id)
    return int(db.session.scalar(stmt) or 0)


def _clashing_day(service_id: int | None, span: ClosureSpan) -> Closure | None:
    """An existing closure of the same scope that covers part of the new one's times."""
    for existing in closures_in_scope(service_id=service_id, first=span.first, last=span.last):
        if (existing.starts is None or span.starts is None
                or (existing.starts < span.ends and span.starts < existing.ends)):
            return existing
    return None


def closure_add(*, service: Service | None, actor, on_date: dt.date | None, reason: str,
                today: dt.date, last_date: dt.date | None = None, starts: dt.time | None = None,
                ends: dt.time | None = None,
                bookings_handled: bool = False) -> tuple[list[Closure], int]:
    """Close one service (or every service when ``service`` is None) on a day, on every day
    from ``on_date`` to ``last_date``, and on each only from ``starts`` to ``ends`` when given.
    One closure row is written per day: the one place this rule lives.

    Times that have bookings are refused unless the caller moves or cancels them in the same
    transaction (``bookings_handled``: requests.closures does, after this flush, so that the
    next free time is found after the closure). Returns the closures and the places taken.
    """
    reason = (reason or "").strip()
    span = closure_span(on_date=on_date, last_date=last_date, starts=starts, ends=ends,
                        today=today)
    if not reason:
        raise ClosureError(_l("Give the reason for the closure."), "reason")
    if len(reason) > 200:
        raise ClosureError(_l("Keep the reason under 200 characters."), "reason")
    service_id = service.id if service is not None else None
    if service_id is not None:
        _lock(service_id)
    clash = _clashing_day(service_id, span)
    if clash is not None:
        if span.first == span.last and span.starts is None:
            raise ClosureError(_l("That day is already closed. Each day can be closed only once."),
                               "on_date")
        raise ClosureError(_l("%(date)s is already closed at that time: each time can be closed "
                              "only once. Remove that closure first, or choose other days or "
                              "times.", date=clash.on_date.isoformat()), "on_date")
    taken = _places_taken(service_id, span)
    if taken and not bookings_handled:
        if span.first == span.last and span.starts is None:
            message = _l("%(n)d appointments are booked that day: review them, then move "
                         "or cancel each one with the closure.", n=taken)
        else:
            message = _l("%(n)d appointments are booked in the times to close: review them, "
                         "then move or cancel each one with the closure.", n=taken)
        raise ClosureError(message, "on_date")
    closures = [Closure(service_id=service_id, on_date=day, starts=span.starts, ends=span.ends,
                        reason=reason, created_by_id=getattr(actor, "id", None))
                for day in span.days()]
    db.session.add_all(closures)
    db.session.flush()
    for closure in closures:
        audit_record(actor=actor, action="closure.add", obj_type="closure", obj_id=closure.id,
                     after=_closure_state(closure, service))
    slots_changed(service_id)
    return closures, taken


def closure_remove(*, closure: Closure, service: Service | None, actor, today: dt.date) -> None:
    """Reopen the day. Past closures are kept as the record of what happened."""
    if closure.on_date < today:
        raise ClosureError(_l("That closure is in the past and is kept as a record."))
    before = _closure_state(closure, service if closure.service_id is not None else None)
    db.session.delete(closure)
    db.session.flush()
    audit_record(actor=actor, action="closure.remove", obj_type="closure", obj_id=before["id"],
                 before=before)
    slots_changed(closure.service_id)


def _closure_state(closure: Closure, service: Service | None) -> dict:
    state = {"id": closure.id, "service": service.code if service is not None else None,
             "date": closure.on_date.isoformat(), "reason": closure.reason}
    if closure.starts is not None and closure.ends is not None:
        state["from"], state["until"] = closure.starts.strftime("%H:%M"), closure.ends.strftime("%H:%M")
    return state
