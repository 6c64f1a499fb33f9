"""Closing days, or part of a day, that already have bookings, and staff moving a booking they
cannot keep.

The catalogue closes the times (catalog.services.closure_add: one day, a range of days, or the
same hours of each) but never reads requests, so the bookings overlapping them are handled here, in the same transaction: each is moved to the next
free time of its service (after the closure, so never onto a closed time) or cancelled,
through the booking rules of appointments.py, and its resident gets a text with the reason.
Nothing is left booked on a closed day: the plan must name every booking, and the closure is
refused when one is not handled.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import contains_eager

from ..audit.services import audit_record
from ..catalog.models import Closure, Service, ServiceKind, Slot
from ..catalog.services import ClosureSpan, closure_add
from ..db import utcnow
from ..extensions import db
from .appointments import (
    ACTIVE,
    BOOKING_CHANGED,
    appointment_cancel,
    appointment_reschedule,
    next_free,
)
from .availability import FreeSlot
from .errors import RequestError, StaleRequest
from .models import ServiceRequest
from .texts import cancelled_with_reason_text, moved_with_reason_text

MOVE, CANCEL = "move", "cancel"
REASON_MAX = 200


class PlanChanged(RequestError):
    """The bookings of the day are not the ones the administrator decided about."""


class NoFreeTime(RequestError):
    """No free time to move a booking to; ``reference`` says which (cancel it instead)."""

    def __init__(self, reference: str) -> None:
        super().__init__(_l("There is no free time to move %(ref)s to: cancel it instead.",
                            ref=reference), reference)
        self.reference = reference


@dataclass
class ClosureOutcome:
    closures: list[Closure]
    moved: list[tuple[str, dt.datetime, dt.datetime]] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)


def bookings_in(*, service_id: int | None, span: ClosureSpan) -> list[ServiceRequest]:
    """The active appointments overlapping the closed times (of one service, or of every
    service when None), by time, with their service."""
    overlaps = [and_(ServiceRequest.starts_at < end,
                     or_(ServiceRequest.ends_at > start,
                         and_(ServiceRequest.ends_at.is_(None), ServiceRequest.starts_at >= start)))
                for start, end in span.intervals()]
    stmt = (select(ServiceRequest).join(ServiceRequest.service)
            .options(contains_eager(ServiceRequest.service))
            .where(Service.kind == ServiceKind.APPOINTMENT, ServiceRequest.status.in_(ACTIVE),
                   or_(*overlaps))
            .order_by(ServiceRequest.starts_at, ServiceRequest.id))
    if service_id is not None:
        stmt = stmt.where(ServiceRequest.service_id == service_id)
    return list(db.session.scalars(stmt).unique())


def _fresh_counters() -> None:
    """The booking rules count places with UPDATEs the session does not see: reread the slot
    counters before looking for the next free time again."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Slot):
            db.session.expire(obj)


def next_free_time(service: Service, *, after: dt.datetime, now: dt.datetime) -> FreeSlot | None:
    _fresh_counters()
    found = next_free(service, after=after, now=now, limit=1)
    return found[0] if found else None


def clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RequestError(_l("Give the reason: the resident reads it in the text."), "reason")
    if len(reason) > REASON_MAX:
        raise RequestError(_l("Keep the reason under 200 characters."), "reason")
    return reason


def _move(item: ServiceRequest, *, actor, reason: str, now: dt.datetime,
          start: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Move to ``start``, or to the next free time after the current one; text the resident."""
    old = item.starts_at
    if start is None:
        slot = next_free_time(item.service, after=old, now=now)
        if slot is None:
            raise NoFreeTime(item.reference)
        start = slot.start
    appointment_reschedule(request=item, service=item.service, start=start, actor=actor, now=now)
    moved_with_reason_text(item, item.service, old=old, reason=reason)
    return old, item.starts_at


def closure_with_bookings(*, service: Service | None, actor, on_date: dt.date | None,
                          reason: str, today: dt.date, decisions: dict[str, str],
                          last_date: dt.date | None = None, starts: dt.time | None = None,
                          ends: dt.time | None = None,
                          now: dt.datetime | None = None) -> ClosureOutcome:
    """Close the days (``on_date`` to ``last_date``; only ``starts``–``ends`` of each when
    given) and move or cancel each booking overlapping them as ``decisions`` (reference →
    "move" | "cancel") says, all or nothing. Raises ClosureError (the closure itself),
    PlanChanged (the bookings differ from the decisions), NoFreeTime, RequestError."""
    now = now or utcnow()
    closures, _ = closure_add(service=service, actor=actor, on_date=on_date, reason=reason,
                              today=today, last_date=last_date, starts=starts, ends=ends,
                              bookings_handled=True)
    first = closures[0]
    span = ClosureSpan(first.on_date, closures[-1].on_date, first.starts, first.ends)
    service_id = service.id if service is not None else None
    reason = first.reason
    bookings = bookings_in(service_id=service_id, span=span)
    if ({b.reference for b in bookings} != set(decisions)
            or any(d not in (MOVE, CANCEL) for d in decisions.values())):
        raise PlanChanged(_l("The bookings of that day changed meanwhile: nothing was saved. "
                             "Check the list below and confirm again."))
    outcome = ClosureOutcome(closures=closures)
    for item in bookings:
        if decisions[item.reference] == MOVE:
            old, new = _move(item, actor=actor, reason=reason, now=now)
            outcome.moved.append((item.reference, old, new))
        else:
            appointment_cancel(request=item, service=item.service, actor=actor, note=reason,
                               now=now)
            cancelled_with_reason_text(item, item.service, reason=reason)
            outcome.cancelled.append(item.reference)
    if bookings_in(service_id=service_id, span=span):
        raise PlanChanged(_l("A booking was added to that day meanwhile: nothing was saved. "
                             "Check the list below and confirm again."))
    if bookings:
        audit_record(actor=actor, action="closure.bookings", obj_type="closure",
                     obj_id=first.id,
                     after={"moved": [ref for ref, _, _ in outcome.moved],
                            "cancelled": outcome.cancelled, "reason": reason,
                            "closures": [c.id for c in closures]})
    return outcome


def booking_move(*, request: ServiceRequest, actor, reason: str | None,
                 start: dt.datetime | None, expected_version: int | None,
                 now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Staff who cannot keep a booking (a home visit they cannot make) move it to ``start``,
    or to the next free time when None, and the resident is told why."""
    if expected_version is None or expected_version != request.version:
        raise StaleRequest(BOOKING_CHANGED)
    reason = clean_reason(reason)
    old, new = _move(request, actor=actor, reason=reason, now=now or utcnow(), start=start)
    audit_record(actor=actor, action="appointment.move_by_staff", obj_type="request",
                 obj_id=request.reference, before={"start": old.isoformat()},
                 after={"start": new.isoformat(), "reason": reason})
    return old, new
