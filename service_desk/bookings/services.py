"""Booking rules: book, reschedule and cancel appointments without ever overbooking.

The place in a slot is taken with a guarded UPDATE on its counter (``booked < capacity``),
which the database serialises on PostgreSQL and SQLite alike; a CHECK constraint backs it.
A check-then-insert in Python would let two requests both see the last place free.
"""
from __future__ import annotations

import datetime as dt
import secrets

from flask_babel import force_locale, format_datetime, gettext, lazy_gettext as _l
from sqlalchemy import select, update

from ..audit.services import audit_record
from ..catalog.models import Channel, Service, ServiceKind, ServiceLocation
from ..db import utcnow
from ..extensions import db
from ..notifications.models import Notification
from .availability import FreeSlot, free_slots, settings_of, zone
from .models import RequestEvent, RequestStatus, ServiceRequest, Slot
from .residents import Resident

# no 0/O, 1/I/L: a reference read out over the phone is not misheard
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8
ACTIVE = (RequestStatus.BOOKED, RequestStatus.ARRIVED)


class BookingError(ValueError):
    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class SlotTaken(BookingError):
    """The slot filled up first; ``alternatives`` are the next free times."""

    def __init__(self, alternatives: list[FreeSlot]) -> None:
        super().__init__(_l("Sorry, that time was just taken. Please choose another time."),
                         "start")
        self.alternatives = alternatives


def new_reference() -> str:
    while True:
        ref = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
        if db.session.scalar(select(ServiceRequest.id).where(ServiceRequest.reference == ref)) is None:
            return ref  # the UNIQUE index is the last word if two draws ever collide


def normalise_reference(raw: str | None) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def find_booking(*, reference: str, phone: str | None) -> ServiceRequest | None:
    """Unknown reference and wrong phone look the same to the caller: None."""
    if not phone:
        return None
    return db.session.scalar(select(ServiceRequest).where(
        ServiceRequest.reference == normalise_reference(reference),
        ServiceRequest.resident_phone == phone))


def _offered(service: Service, start: dt.datetime, now: dt.datetime) -> FreeSlot:
    local_day = start.astimezone(zone()).date()
    for slot in free_slots(service, first=local_day, last=local_day, now=now):
        if slot.start == start:
            return slot
    raise BookingError(_l("That time is not open for booking. Please choose one of the times shown."),
                       "start")


def next_free(service: Service, *, after: dt.datetime, now: dt.datetime, limit: int = 3):
    local_day = after.astimezone(zone()).date()
    days = settings_of(service).book_ahead_days
    candidates = free_slots(service, first=local_day, last=local_day + dt.timedelta(days=days),
                            now=now)
    return [s for s in candidates if s.remaining > 0 and s.start > after][:limit]


def _take_place(service: Service, slot: FreeSlot, now: dt.datetime) -> int:
    """Claim one place in the slot's counter, creating the counter if it is the first."""
    existing = db.session.scalar(select(Slot.id).where(Slot.service_id == service.id,
                                                       Slot.starts_at == slot.start))
    if existing is None:
        dialect = db.session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        db.session.execute(insert(Slot).values(
            service_id=service.id, starts_at=slot.start, ends_at=slot.end, capacity=slot.capacity,
            booked=0).on_conflict_do_nothing(index_elements=["service_id", "starts_at"]))
        existing = db.session.scalar(select(Slot.id).where(Slot.service_id == service.id,
                                                           Slot.starts_at == slot.start))
    taken = db.session.execute(
        update(Slot).where(Slot.id == existing, Slot.booked < slot.capacity)
        .values(booked=Slot.booked + 1, capacity=slot.capacity)
        .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        raise SlotTaken(next_free(service, after=slot.start, now=now))
    return existing


def _release_place(slot_id: int | None) -> None:
    if slot_id is not None:
        db.session.execute(update(Slot).where(Slot.id == slot_id, Slot.booked > 0)
                           .values(booked=Slot.booked - 1)
                           .execution_options(synchronize_session=False))


def _event(request: ServiceRequest, *, action: str, actor=None, note: str | None = None) -> None:
    db.session.add(RequestEvent(request_id=request.id, action=action,
                                actor_id=getattr(actor, "id", None), status_after=request.status,
                                unit_id=request.unit_id, note=note))


def _confirm(request: ServiceRequest, service: Service, kind: str) -> None:
    """A text to the resident's phone through the outbox (sent once an SMS gateway is set)."""
    with force_locale("zh_CN"):
        when = format_datetime(request.starts_at, "medium") if request.starts_at else ""
        texts = {
            "booked": gettext("Booked: %(service)s at %(when)s. Reference %(ref)s.",
                              service=service.name, when=when, ref=request.reference),
            "rescheduled": gettext("Moved: %(service)s is now at %(when)s. Reference %(ref)s.",
                                   service=service.name, when=when, ref=request.reference),
            "cancelled": gettext("Cancelled: %(service)s, reference %(ref)s.",
                                 service=service.name, ref=request.reference),
        }
        subject = gettext("Service Desk appointment %(ref)s", ref=request.reference)
    db.session.add(Notification(
        kind=f"appointment-{kind}", recipient=f"sms:{request.resident_phone}", subject=subject,
        body=texts[kind], dedupe_key=f"appointment-{kind}:{request.id}:{request.version}"))


def appointment_book(*, service: Service, start: dt.datetime, resident: Resident,
                     channel: Channel, actor=None, now: dt.datetime | None = None) -> ServiceRequest:
    """Book a place; raises SlotTaken (with the next free times) when the slot is full."""
    now = now or utcnow()
    if service.kind is not ServiceKind.APPOINTMENT or not service.is_active:
        raise BookingError(_l("This service cannot be booked for a time."), "service_code")
    if service.location is ServiceLocation.HOME and not resident.address:
        raise BookingError(_l("Enter the address where staff should come."), "address")
    eligible = set(service.eligible_groups or [])
    if eligible and "everyone" not in eligible and (
            resident.group is None or resident.group.value not in eligible):
        raise BookingError(_l("This service is for the groups listed: please choose one."), "group")
    slot = _offered(service, start, now)
    slot_id = _take_place(service, slot, now)
    request = ServiceRequest(
        reference=new_reference(), service_id=service.id, channel=channel,
        status=RequestStatus.BOOKED, resident_name=resident.name,
        resident_phone=resident.phone, address=resident.address,
        special_group=resident.group, needs=resident.needs, starts_at=slot.start,
        ends_at=slot.end, slot_id=slot_id, unit_id=service.unit_id,
        created_by_id=getattr(actor, "id", None))
    db.session.add(request)
    db.session.flush()
    _event(request, action="booked", actor=actor, note=channel.value)
    _confirm(request, service, "booked")
    audit_record(actor=actor or "resident", action="appointment.book", obj_type="request",
                 obj_id=request.reference,
                 after={"service": service.code, "start": slot.start.isoformat(),
                        "channel": channel.value})
    return request


def _must_be_active(request: ServiceRequest) -> None:
    if request.status not in ACTIVE:
        raise BookingError(_l("This booking is already cancelled or finished."))


def appointment_reschedule(*, request: ServiceRequest, service: Service, start: dt.datetime,
                           actor=None, now: dt.datetime | None = None) -> None:
    """Move to a new time; the old place is freed in the same transaction."""
    now = now or utcnow()
    _must_be_active(request)
    if start == request.starts_at:
        raise BookingError(_l("That is the time you already have."), "start")
    slot = _offered(service, start, now)
    new_slot_id = _take_place(service, slot, now)
    old = request.starts_at
    _release_place(request.slot_id)
    request.slot_id, request.starts_at, request.ends_at = new_slot_id, slot.start, slot.end
    request.updated_at = utcnow()
    db.session.flush()  # the version check: a concurrent change to this booking fails here
    _event(request, action="rescheduled", actor=actor, note=old.isoformat() if old else None)
    _confirm(request, service, "rescheduled")
    audit_record(actor=actor or "resident", action="appointment.reschedule", obj_type="request",
                 obj_id=request.reference, before={"start": old.isoformat() if old else None},
                 after={"start": slot.start.isoformat()})


def appointment_cancel(*, request: ServiceRequest, service: Service, actor=None,
                       note: str | None = None) -> None:
    _must_be_active(request)
    request.status = RequestStatus.CANCELLED
    request.updated_at = utcnow()
    db.session.flush()  # two cancels racing: the second one's version check fails here
    _release_place(request.slot_id)
    _event(request, action="cancelled", actor=actor, note=note)
    _confirm(request, service, "cancelled")
    audit_record(actor=actor or "resident", action="appointment.cancel", obj_type="request",
                 obj_id=request.reference, after={"note": note})
