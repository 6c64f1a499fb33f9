"""Reminders before appointments: `service-desk notify` queues one text for every active
booking that starts within the next hours (REMINDER_HOURS, 24 by default), with the time,
the place and how to change it. The dedupe key (booking and time) makes it once: a second
run queues nothing, and a booking moved later is reminded of its new time."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from ..catalog.models import Service, ServiceKind
from ..extensions import db
from ..notifications.outbox import queue_new
from .models import RequestStatus, ServiceRequest
from .texts import reminder_draft

DEFAULT_HOURS = 24


def appointment_reminders_queue(*, now: dt.datetime, hours: int = DEFAULT_HOURS) -> int:
    """Queue the reminders that are due; returns how many were new. Flushes; the caller
    commits."""
    rows = db.session.scalars(
        select(ServiceRequest).join(ServiceRequest.service)
        .options(contains_eager(ServiceRequest.service))
        .where(Service.kind == ServiceKind.APPOINTMENT,
               ServiceRequest.status == RequestStatus.BOOKED,
               ServiceRequest.starts_at > now,
               ServiceRequest.starts_at <= now + dt.timedelta(hours=hours))
        .order_by(ServiceRequest.starts_at, ServiceRequest.id))
    return queue_new(reminder_draft(item, item.service) for item in rows)
