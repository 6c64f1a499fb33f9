"""Demo only: one finished appointment to walk the rating flow on a fresh `make run`.

The article names no residents and no bookings, so this is marked demo (is_synthetic, name
"演示居民", reference DEMO…) and never mixed with seed data. It is made through the same
rules as a real one: a slot counter, a completion by the demo staff member, and the
completion text with its rating link waiting in the outbox.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from .accounts.models import User
from .base.calendar import is_working_day, zone
from .catalog.models import Channel, Service, Slot
from .extensions import db
from .requests.history import history_add
from .requests.models import RequestStatus, ServiceRequest
from .requests.texts import completion_text, rating_url

DEMO_REFERENCE = "DEMO0001"
DEMO_PHONE = "13800000000"  # not a real subscriber number range we would text


class DemoBookingError(RuntimeError):
    pass


def demo_completed_appointment(*, now: dt.datetime) -> tuple[ServiceRequest, str, bool]:
    """(the demo appointment, its rating link, whether it was made now); idempotent."""
    existing = db.session.scalar(select(ServiceRequest).where(
        ServiceRequest.reference == DEMO_REFERENCE))
    if existing is not None:
        return existing, rating_url(existing), False
    service = db.session.scalar(select(Service).where(Service.code == "appointment"))
    staff = db.session.scalar(select(User).where(User.username == "demo-staff"))
    if service is None or staff is None:
        raise DemoBookingError("run `service-desk seed` and `service-desk demo-accounts` first")
    tz = zone()
    day = now.astimezone(tz).date() - dt.timedelta(days=1)
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    starts = dt.datetime.combine(day, dt.time(9, 30), tzinfo=tz).astimezone(dt.UTC)
    ends = starts + dt.timedelta(minutes=service.duration_minutes or 30)
    slot = db.session.scalar(select(Slot).where(Slot.service_id == service.id,
                                                Slot.starts_at == starts))
    if slot is None:
        slot = Slot(service_id=service.id, starts_at=starts, ends_at=ends,
                    capacity=service.capacity or 2, booked=0)
        db.session.add(slot)
        db.session.flush()
    if slot.booked >= slot.capacity:
        raise DemoBookingError("the demo slot is full")
    slot.booked += 1
    item = ServiceRequest(
        reference=DEMO_REFERENCE, service_id=service.id, channel=Channel.WEB,
        status=RequestStatus.COMPLETED, resident_name="演示居民", resident_phone=DEMO_PHONE,
        starts_at=starts, ends_at=ends, slot_id=slot.id, unit_id=service.unit_id,
        resolved_at=ends, served_by_id=staff.id, is_synthetic=True,
        created_at=starts - dt.timedelta(days=2), updated_at=ends)
    db.session.add(item)
    db.session.flush()
    for action, status, at in (("booked", RequestStatus.BOOKED, item.created_at),
                               ("completed", RequestStatus.COMPLETED, ends)):
        history_add(item, action=action, at=at, status_after=status, note="演示数据",
                    actor=staff if action == "completed" else None)
    completion_text(request=item, service=service)
    return item, rating_url(item), True
