"""A request's history: one append-only row per thing that happened to it, written by this
one function whatever the channel (booked, moved, dispatched, accepted, rated, …)."""
from __future__ import annotations

import datetime as dt

from ..db import utcnow
from ..extensions import db
from .models import RequestEvent, RequestStatus, ServiceRequest


def history_add(request: ServiceRequest, *, action: str, actor=None, note: str | None = None,
                at: dt.datetime | None = None,
                status_after: RequestStatus | None = None) -> RequestEvent:
    """Record ``action`` with the status it left the request in (its current one unless
    given) and the unit that held it. ``actor`` is a user, or None for the resident."""
    event = RequestEvent(request_id=request.id, action=action, at=at or utcnow(),
                         actor_id=getattr(actor, "id", None),
                         status_after=status_after if status_after is not None else request.status,
                         unit_id=request.unit_id, note=note)
    db.session.add(event)
    return event
