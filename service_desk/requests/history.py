"""A request's history: one append-only row per thing that happened to it, written by this
one function whatever the channel (booked, moved, dispatched, accepted, rated, …).

``history_row`` is the same row as plain values, for a hot path that inserts it with Core and
never reads it back (a booking writes it with db.insert_rows, issue 13)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Table

from ..db import utcnow
from ..extensions import db
from .models import RequestEvent, RequestStatus, ServiceRequest


def history_row(request: ServiceRequest, *, action: str, actor=None, note: str | None = None,
                at: dt.datetime | None = None,
                status_after: RequestStatus | None = None) -> tuple[Table, dict]:
    """The table and values of the event ``history_add`` records (the request must have its
    id: it is in the database already)."""
    return RequestEvent.__table__, {
        "request_id": request.id, "action": action, "at": at or utcnow(),
        "actor_id": getattr(actor, "id", None),
        "status_after": status_after if status_after is not None else request.status,
        "unit_id": request.unit_id, "note": note}


def history_add(request: ServiceRequest, *, action: str, actor=None, note: str | None = None,
                at: dt.datetime | None = None,
                status_after: RequestStatus | None = None) -> RequestEvent:
    """Record ``action`` with the status it left the request in (its current one unless
    given) and the unit that held it. ``actor`` is a user, or None for the resident."""
    _, values = history_row(request, action=action, actor=actor, note=note, at=at,
                            status_after=status_after)
    event = RequestEvent(**values)
    db.session.add(event)
    return event
