"""Appointments (hall visits, home visits): book, reschedule, cancel, mark and assign, without
ever overbooking, with the same rules on every channel.

The place in a slot is taken with a guarded UPDATE on its counter (``booked < capacity``),
which the database serialises on PostgreSQL and SQLite alike; a CHECK constraint backs it.
A check-then-insert in Python would let two requests both see the last place free.

One mobile number holds at most ``max_active_per_phone_per_day`` active bookings of a service
on one day (``_phone_day_check``). On PostgreSQL it is checked once, under an advisory lock
on (service, phone, day) taken first and held to the commit, so it sees every booking of that
phone committed before it and none can commit meanwhile. SQLite has no such lock: there it is
checked early, for the plain answer, and once more after the slot's place is taken, when the
place's write already holds the database's one write lock.

A booking is a handful of round trips (issue 13): the place is claimed with one upsert on its
counter, and the request row is inserted with ``ON CONFLICT (reference) DO NOTHING``, a new
reference drawn on the (rare) collision, instead of a SELECT before the insert. Its statements
are Core statements built once, not ORM ones built per call, and its history, text and audit
rows are plain rows: the ORM's statement machinery and unit of work were most of a booking's
CPU. On PostgreSQL every write is one statement (``booking_statement``), and the phone's-day
lock statement also draws the request's id from its sequence (a refused booking leaves a gap in
the ids, as any rolled-back insert does) and reads the day's hours and closures: four
statements. On SQLite the writes are separate statements, the rows one INSERT each.
The slots version's UPDATE comes last either way.

Plain functions that flush and never commit; the caller commits once. Every change writes
the request's history, an audit record and, where the resident must know, a text.
"""
from __future__ import annotations

import datetime as dt
import zlib
from functools import cache
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import Insert, bindparam, func, select, update
from sqlalchemy.orm import make_transient_to_detached

from ..accounts.models import User
from ..audit.services import audit_record, audit_row
from ..base.calendar import local_day, start_of_day
from ..catalog import service_cache
from ..catalog.hours import settings_of
from ..catalog.models import Channel, Service, ServiceKind, ServiceLocation, Slot, new_slots_version
from ..catalog.slot_versions import slots_changed
from ..db import insert_rows, utcnow
from ..driver_sql import DriverStatement
from ..extensions import db
from ..permissions import Role
from .availability import FreeSlot, calendar_of, flush_pending, free_slots, offered_slot
from .booking_statement import PhoneDay, book_in_one_statement
from .eligibility import eligibility_check
from .errors import DuplicateBooking, NotChangeable, RequestError, SlotTaken, StaleRequest
from .history import history_add, history_row
from .models import RequestStatus, ServiceRequest
from .references import draw_reference
from .residents import Resident, home_address_problem
from .slot_reasons import SlotUnavailable, slot_problem
from .texts import appointment_text, appointment_text_row, completion_text

ACTIVE = (RequestStatus.BOOKED, RequestStatus.ARRIVED)
NOTE_REQUIRED = frozenset({RequestStatus.NO_SHOW, RequestStatus.CANCELLED})
NOTE_MAX = 2000

# the audit action of each staff mark ("appointment.cancel" is written by appointment_cancel)
_AUDIT_ACTIONS = {
    RequestStatus.ARRIVED: "appointment.arrive",
    RequestStatus.COMPLETED: "appointment.complete",
    RequestStatus.NO_SHOW: "appointment.no_show",
}

# The booking's statements: Core, on the tables, built once (see the module's docstring)
_requests, _slots = ServiceRequest.__table__, Slot.__table__
_PHONE_DAY_LOCK = select(func.pg_advisory_xact_lock(bindparam("service_id"), bindparam("key")))
# the same for a new booking, with the request's id from its sequence (booking_statement
# builds its rows with it) and the day's hours and closures (_offered): one round trip
_PHONE_DAY_LOCK_ID_AND_CALENDAR = DriverStatement(calendar_of(select(
    func.pg_advisory_xact_lock(bindparam("service_id"), bindparam("key")).label("locked"),
    func.nextval(func.pg_get_serial_sequence(_requests.name, _requests.c.id.name))
    .label("new_id"),
    service_cache.fingerprint(bindparam("service_id")).label("service_fingerprint"))
    .cte("phone_day_lock").prefix_with("MATERIALIZED")))
_HELD = (select(_requests.c.id)
         .where(_requests.c.service_id == bindparam("service_id"),
                _requests.c.resident_phone == bindparam("phone"),
                _requests.c.status.in_(ACTIVE),
                _requests.c.starts_at >= bindparam("day_start"),
                _requests.c.starts_at < bindparam("day_end"))
         .order_by(_requests.c.starts_at, _requests.c.id)
         .limit(bindparam("allowed")))
_HELD_BUT = _HELD.where(_requests.c.id != bindparam("moving_id"))
_RELEASE_PLACE = (update(_slots).where(_slots.c.id == bindparam("slot_id"), _slots.c.booked > 0)
                  .values(booked=_slots.c.booked - 1))
# every column of a request, for the object made from the inserted row (_insert_booking)
_REQUEST_NONE = dict.fromkeys(_requests.c.keys())

BOOKING_CHANGED = _l("This booking changed meanwhile: nothing was saved. "
                     "Check its current state below and try again.")


# --- the rules ------------------------------------------------------------------------------

def is_home_visit(service: Service) -> bool:
    return service.location is ServiceLocation.HOME


def resident_may_change(request: ServiceRequest, *, now: dt.datetime) -> bool:
    """Residents move or cancel their booking while it is booked and still ahead of them;
    once staff marked it arrived, or its time has come, only staff change it."""
    return (request.status is RequestStatus.BOOKED and request.starts_at is not None
            and request.starts_at > now)


def _resident_change_check(request: ServiceRequest, now: dt.datetime) -> None:
    if resident_may_change(request, now=now):
        return
    if request.status is RequestStatus.CANCELLED:
        raise NotChangeable(_l("This booking is already cancelled."))
    raise NotChangeable(_l("This booking can no longer be changed: it is cancelled, finished "
                           "or already past."))


def _must_be_active(request: ServiceRequest) -> None:
    if request.status not in ACTIVE:
        raise NotChangeable(_l("This booking is already cancelled or finished."))


def allowed_changes(request: ServiceRequest, service: Service) -> tuple[RequestStatus, ...]:
    """The statuses staff may move a booking to from where it is now.

    A home visit may go straight from booked to completed: staff went to the door.
    """
    if request.status is RequestStatus.BOOKED:
        if is_home_visit(service):
            return (RequestStatus.ARRIVED, RequestStatus.COMPLETED, RequestStatus.NO_SHOW,
                    RequestStatus.CANCELLED)
        return (RequestStatus.ARRIVED, RequestStatus.NO_SHOW, RequestStatus.CANCELLED)
    if request.status is RequestStatus.ARRIVED:
        return (RequestStatus.COMPLETED,)
    return ()


def _check_version(request: ServiceRequest, expected_version: int | None) -> None:
    if expected_version is None or expected_version != request.version:
        raise StaleRequest(BOOKING_CHANGED)


def _dialect() -> str:
    return db.session.connection().dialect.name


def _phone_day_lock(service: Service, phone: str, day: dt.date) -> bool:
    """Serialise bookings of one phone for one service and day (PostgreSQL; see above).
    True when the lock is held; False on SQLite, where the caller checks again after its
    first write instead."""
    if _dialect() != "postgresql":
        return False
    db.session.execute(_PHONE_DAY_LOCK, _lock_key(service, phone, day))
    return True


class _Locked(NamedTuple):
    new_id: int  # the new request's id
    service_fingerprint: str | None  # the stored service row's (service_cache)
    calendar: list  # the day's hours and closures, for _offered


def _phone_day_lock_and_id(service: Service, phone: str, day: dt.date) -> _Locked | None:
    """``_phone_day_lock`` for a new booking, in the same statement drawing the new request's
    id and reading the service row's fingerprint and the day's hours and closures; None on
    SQLite."""
    if _dialect() != "postgresql":
        return None
    flush_pending()  # as the calendar's own read did
    rows = _PHONE_DAY_LOCK_ID_AND_CALENDAR.rows(
        db.session, {**_lock_key(service, phone, day), "first": day, "last": day})
    return _Locked(rows[0][1], rows[0][2], [row[3:] for row in rows if row[3] is not None])


def _locked_with_stored_service(service: Service, cached_as: str | None, phone: str,
                                day: dt.date) -> tuple[Service, _Locked | None]:
    """The phone's-day lock, and the service as stored: the one given, unless it was a copy
    from memory (``cached_as``: its fingerprint, service_cache) that no longer matches the
    stored row, which is then read and booked with."""
    locked = _phone_day_lock_and_id(service, phone, day)
    if cached_as is None or locked is None or locked.service_fingerprint == cached_as:
        return service, locked
    stored = service_cache.stored_service(service.code)
    if stored is None:
        raise RequestError(_l("This service cannot be booked for a time."), "service_code")
    if stored.id != service.id:  # another service under the code: its lock, its calendar
        locked = _phone_day_lock_and_id(stored, phone, day)
    return stored, locked


def _lock_key(service: Service, phone: str, day: dt.date) -> dict:
    key = zlib.crc32(f"{phone}|{day.isoformat()}".encode()) - 2**31  # a signed int4
    return {"service_id": service.id, "key": key}


class _Upserts(NamedTuple):
    take_place: Insert
    insert_request: Insert


@cache
def _upserts(dialect: str) -> _Upserts:
    """The dialect's upserts, built on first use."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    place = insert(_slots).values(booked=1)
    return _Upserts(
        # the inserted capacity (excluded) is the slot's capacity now
        take_place=place.on_conflict_do_update(
            index_elements=[_slots.c.service_id, _slots.c.starts_at],
            set_={"booked": _slots.c.booked + 1, "capacity": place.excluded.capacity},
            where=_slots.c.booked < place.excluded.capacity).returning(_slots.c.id),
        insert_request=insert(_requests).on_conflict_do_nothing(
            index_elements=[_requests.c.reference]).returning(_requests.c.id))


def _phone_day(service: Service, start: dt.datetime) -> PhoneDay | None:
    """The one-phone-a-day rule for a booking at ``start``: the service's allowance and the
    local day's bounds; None when the service sets no allowance."""
    allowed = service.max_active_per_phone_per_day
    if not allowed or allowed < 1:
        return None
    day = local_day(start)
    return PhoneDay(start_of_day(day), start_of_day(day + dt.timedelta(days=1)), allowed)


def _phone_day_check(service: Service, phone: str, start: dt.datetime, *,
                     moving: ServiceRequest | None = None) -> None:
    """Raise DuplicateBooking when the phone already holds the service's allowance of active
    bookings on the local day of ``start`` (the booking being moved does not count)."""
    rule = _phone_day(service, start)
    if rule is None:
        return
    allowed = rule.allowed
    flush_pending()  # the ORM query this was saw the session's pending changes
    params = {"service_id": service.id, "phone": phone, "day_start": rule.day_start,
              "day_end": rule.day_end, "allowed": allowed}
    if moving is None:
        held = db.session.scalars(_HELD, params).all()
    else:
        held = db.session.scalars(_HELD_BUT, {**params, "moving_id": moving.id}).all()
    if len(held) >= allowed:  # ids only; the object just for the answer
        raise DuplicateBooking(db.session.get(ServiceRequest, held[0]))


def _by_confirm_token(token: str | None) -> ServiceRequest | None:
    if not token:
        return None
    return db.session.scalar(select(ServiceRequest).where(ServiceRequest.confirm_token == token))


# --- places in slots ------------------------------------------------------------------------

def _offered(service: Service, start: dt.datetime, now: dt.datetime,
             calendar: list | None = None) -> FreeSlot:
    # whether the time is offered at all; whether it has room is _take_place's guarded upsert
    slot = offered_slot(service, start, now=now, counts=False, calendar=calendar)
    if slot is not None:
        return slot
    problem = slot_problem(service, start, now=now)  # past, too soon, closed…: say which
    if problem is not None:
        raise SlotUnavailable(problem)
    raise RequestError(_l("That time is not open for booking. Please choose one of the times "
                          "shown."), "start")


def next_free(service: Service, *, after: dt.datetime, now: dt.datetime,
              limit: int = 3) -> list[FreeSlot]:
    day = local_day(after)
    days = settings_of(service).book_ahead_days
    candidates = free_slots(service, first=day, last=day + dt.timedelta(days=days), now=now)
    return [s for s in candidates if s.remaining > 0 and s.start > after][:limit]


def _take_place(service: Service, slot: FreeSlot, now: dt.datetime) -> int:
    """Claim one place in the slot's counter, creating the counter if it is the first: one
    statement. On a conflict the database locks the existing row and applies the guard to
    its latest version, so two bookings racing for the last place cannot both win."""
    taken = db.session.execute(_upserts(_dialect()).take_place, {
        "service_id": service.id, "starts_at": slot.start, "ends_at": slot.end,
        "capacity": slot.capacity}).scalar()
    if taken is None:
        raise SlotTaken(next_free(service, after=slot.start, now=now))
    return taken


def _release_place(slot_id: int | None) -> None:
    if slot_id is not None:
        flush_pending()  # as the ORM UPDATE this was did
        db.session.execute(_RELEASE_PLACE, {"slot_id": slot_id})


def _insert_booking(**values) -> ServiceRequest:
    """Insert the request row with a fresh reference: one statement. The UNIQUE index on the
    reference is the check; a collision inserts nothing and another reference is drawn."""
    stmt = _upserts(_dialect()).insert_request
    while True:
        values["reference"] = draw_reference()
        made = db.session.execute(stmt, values).scalar()
        if made is not None:
            return _request_object({**values, "id": made})


def _request_values(**values) -> dict:
    """A new booking's row, but its reference: the columns the insert writes."""
    now = utcnow()
    values.update(created_at=now, updated_at=now, version=1, is_synthetic=False)
    return values


def _request_object(values: dict) -> ServiceRequest:
    """The session's object for a request row just inserted with Core, made from the values
    written (every column set), as though loaded: an ORM INSERT … RETURNING of the entity
    cost three times as much (issue 13)."""
    return _persisted(ServiceRequest(**{**_REQUEST_NONE, **values}))


def _persisted(request: ServiceRequest) -> ServiceRequest:
    make_transient_to_detached(request)  # persistent once added, with nothing to flush
    db.session.add(request)
    return request


def _booking_rows(request: ServiceRequest, service: Service, *, channel: Channel,
                  actor) -> list[tuple]:
    """A new booking's history, text and audit rows, as plain rows (nothing reads them back
    here)."""
    return [history_row(request, action="booked", actor=actor, note=channel.value),
            appointment_text_row(request, service, "booked", urgent=True),
            audit_row(actor=actor or "resident", action="appointment.book", obj_type="request",
                      obj_id=request.reference,
                      after={"service": service.code, "start": request.starts_at.isoformat(),
                             "channel": channel.value})]


# --- residents' side: book, move, cancel ------------------------------------------------------

def appointment_book(*, service: Service, start: dt.datetime, resident: Resident,
                     channel: Channel, actor=None, now: dt.datetime | None = None,
                     confirm_token: str | None = None,
                     cached_as: str | None = None, commit: bool = False) -> ServiceRequest:
    """Book a place; raises SlotTaken (with the next free times) when the slot is full and
    DuplicateBooking when the phone already holds its allowance that day.

    ``confirm_token`` (the web confirm form's one-time token) makes a resubmission of the
    same confirm return the booking it already made, unchanged, instead of a second one.
    ``cached_as``: ``service`` is service_cache's copy with this fingerprint; the booking
    checks it against the stored row and books with the stored one if they differ.

    ``commit``: the caller commits next, with nothing else to write (the API). On
    PostgreSQL the COMMIT then goes with the writing statement, in one round trip
    (DriverStatement.rows): that statement takes the service row's lock (its slots
    version), which every other booking of the service waits for, so it is held only while
    the database works, not while this process, among its threads, comes back to send the
    COMMIT (issue 13). A refusal so committed wrote nothing.
    """
    now = now or utcnow()
    # the lock first: on PostgreSQL the same statement says whether a copy of the service is
    # still the stored one, and every rule below reads the service
    service, locked = _locked_with_stored_service(service, cached_as, resident.phone,
                                                  local_day(start))
    if service.kind is not ServiceKind.APPOINTMENT or not service.is_active:
        raise RequestError(_l("This service cannot be booked for a time."), "service_code")
    if is_home_visit(service) and (problem := home_address_problem(resident.address)) is not None:
        raise RequestError(problem, "address")  # every channel: enough to find the door
    eligibility_check(service, resident.group)
    made = _by_confirm_token(confirm_token)  # on PostgreSQL a racing resubmission committed
    if made is not None:
        return made
    if locked is None:  # SQLite; on PostgreSQL the writing statement checks it
        _phone_day_check(service, resident.phone, start)
    try:
        slot = _offered(service, start, now, locked.calendar if locked else None)
    except RequestError:
        if locked is not None:  # a phone that holds its allowance is told that first
            _phone_day_check(service, resident.phone, start)
        raise
    values = _request_values(
        service_id=service.id, channel=channel, status=RequestStatus.BOOKED,
        resident_name=resident.name, resident_phone=resident.phone, address=resident.address,
        special_group=resident.group, needs=resident.needs, starts_at=slot.start,
        ends_at=slot.end, unit_id=service.unit_id, created_by_id=getattr(actor, "id", None),
        confirm_token=confirm_token or None)
    if locked is not None:  # PostgreSQL: the phone's day is locked, the rest in one statement
        def again() -> ServiceRequest:  # the transaction may have ended: from the start
            return appointment_book(service=service, start=start, resident=resident,
                                    channel=channel, actor=actor, now=now, commit=True)

        place = {"service_id": service.id, "starts_at": slot.start, "ends_at": slot.end,
                 "capacity": slot.capacity}
        rule = _phone_day(service, slot.start)
        values["id"] = locked.new_id
        while True:
            values["reference"] = draw_reference()
            request = ServiceRequest(**{**_REQUEST_NONE, **values})  # added once it is written
            booked = book_in_one_statement(
                db.session, place=place, request=values,
                rows=_booking_rows(request, service, channel=channel, actor=actor),
                version=new_slots_version(), phone_day=rule, active=ACTIVE, commit=commit)
            if not booked.reference_taken:
                break
            if commit:  # a stored request has the reference (rare): nothing was written
                return again()
        if rule is not None and booked.held >= rule.allowed:
            raise DuplicateBooking(db.session.get(ServiceRequest, booked.first_held))
        if booked.slot_id is None:
            raise SlotTaken(next_free(service, after=slot.start, now=now))
        values["slot_id"] = request.slot_id = booked.slot_id
        if booked.request_id is not None:
            return _persisted(request)
        # a booking not yet committed drew the same reference (rarer still): the place is taken
        if commit:  # and maybe committed: give it back, then book again from the start
            _release_place(booked.slot_id)
            db.session.commit()
            return again()
        request = _insert_booking(**values)  # the rest one by one
    else:
        slot_id = _take_place(service, slot, now)
        # SQLite: the place's write holds the database lock now; look again
        made = _by_confirm_token(confirm_token)
        if made is not None:
            _release_place(slot_id)
            return made
        _phone_day_check(service, resident.phone, slot.start)
        request = _insert_booking(**values, slot_id=slot_id)
    # the history, text and audit rows: one statement on PostgreSQL
    insert_rows(db.session, _booking_rows(request, service, channel=channel, actor=actor))
    slots_changed(service.id)  # last: the service row's lock is held only until the commit
    return request


def appointment_reschedule(*, request: ServiceRequest, service: Service, start: dt.datetime,
                           actor=None, now: dt.datetime | None = None) -> None:
    """Move to a new time; the old place is freed in the same transaction. A resident
    (``actor`` None) may move a booking only while it is booked and ahead, and not onto a
    day where the phone already holds the service's allowance (DuplicateBooking)."""
    now = now or utcnow()
    if actor is None:
        _resident_change_check(request, now)
    else:
        _must_be_active(request)
    if start == request.starts_at:
        raise RequestError(_l("That is the time you already have."), "start")
    # the one-a-day rule binds residents' own moves; staff moving bookings off a closed day
    # (requests.closures) place them where there is room
    resident_move = actor is None
    locked = False
    if resident_move:  # the lock before the place, in the same order as appointment_book
        locked = _phone_day_lock(service, request.resident_phone, local_day(start))
        _phone_day_check(service, request.resident_phone, start, moving=request)
    slot = _offered(service, start, now)
    new_slot_id = _take_place(service, slot, now)
    if resident_move and not locked:  # SQLite: look again under the write lock
        _phone_day_check(service, request.resident_phone, slot.start, moving=request)
    old = request.starts_at
    _release_place(request.slot_id)
    request.slot_id, request.starts_at, request.ends_at = new_slot_id, slot.start, slot.end
    request.updated_at = utcnow()
    db.session.flush()  # the version check: a concurrent change to this booking fails here
    history_add(request, action="rescheduled", actor=actor, note=old.isoformat() if old else None)
    appointment_text(request, service, "rescheduled", urgent=actor is None)
    audit_record(actor=actor or "resident", action="appointment.reschedule", obj_type="request",
                 obj_id=request.reference, before={"start": old.isoformat() if old else None},
                 after={"start": slot.start.isoformat()})
    slots_changed(service.id)  # last: the service row's lock is held only until the commit


def appointment_cancel(*, request: ServiceRequest, service: Service, actor=None,
                       note: str | None = None, now: dt.datetime | None = None) -> None:
    """Cancel and free the place. A resident (``actor`` None) may cancel only while the
    booking is booked and ahead; staff cancel through ``booking_mark``."""
    now = now or utcnow()
    if actor is None:
        _resident_change_check(request, now)
    else:
        _must_be_active(request)
    request.status = RequestStatus.CANCELLED
    request.updated_at = utcnow()
    db.session.flush()  # two cancels racing: the second one's version check fails here
    _release_place(request.slot_id)
    history_add(request, action="cancelled", actor=actor, note=note)
    appointment_text(request, service, "cancelled", urgent=actor is None)
    audit_record(actor=actor or "resident", action="appointment.cancel", obj_type="request",
                 obj_id=request.reference, after={"note": note})
    slots_changed(service.id)  # last: the service row's lock is held only until the commit


# --- staff side: mark what happened, assign a home visit --------------------------------------

def _clean_note(note: str | None) -> str | None:
    note = (note or "").strip() or None
    if note and len(note) > NOTE_MAX:
        raise RequestError(_l("The note is too long (%(n)d characters at most).", n=NOTE_MAX),
                           "note")
    return note


def booking_mark(*, request: ServiceRequest, service: Service, status: RequestStatus,
                 note: str | None, actor: User, expected_version: int | None) -> None:
    """Record what happened to a booking: arrived, completed, no-show or cancelled."""
    _check_version(request, expected_version)
    if status not in allowed_changes(request, service):
        raise NotChangeable(_l("This booking cannot be marked that way from where it is now."),
                            "status")
    note = _clean_note(note)
    if status in NOTE_REQUIRED and not note:
        raise RequestError(_l("Say what happened: a note is required for a no-show or a "
                              "cancellation."), "note")
    if status is RequestStatus.CANCELLED:
        appointment_cancel(request=request, service=service, actor=actor, note=note)
        return
    before = request.status
    now = utcnow()
    request.status = status
    request.updated_at = now
    if status is RequestStatus.COMPLETED:
        request.resolved_at = now
        # a home visit is served by its assignee; a hall appointment by who completed it
        request.served_by_id = request.assignee_id or actor.id
    db.session.flush()  # the version check: a change that raced ours fails here
    if status is RequestStatus.COMPLETED:
        completion_text(request=request, service=service)
    history_add(request, action=status.value, actor=actor, note=note, at=now)
    audit_record(actor=actor, action=_AUDIT_ACTIONS[status], obj_type="request",
                 obj_id=request.reference, before={"status": before.value},
                 after={"status": status.value, "note": note})


def booking_assign(*, request: ServiceRequest, service: Service, assignee: User | None,
                   actor: User, expected_version: int | None) -> None:
    """Give a home visit to a staff member of the booking's own unit."""
    _check_version(request, expected_version)
    if not is_home_visit(service):
        raise RequestError(_l("Only home visits are assigned to a staff member."))
    _must_be_active(request)
    if (assignee is None or not assignee.is_active or assignee.role is not Role.STAFF
            or assignee.unit_id is None or assignee.unit_id != request.unit_id):
        raise RequestError(_l("Choose a staff member of the unit that holds this booking."),
                           "assignee")
    if assignee.id == request.assignee_id:
        raise RequestError(_l("This visit is already assigned to %(name)s.",
                              name=assignee.display_name or assignee.username), "assignee")
    before = request.assignee_id
    request.assignee_id = assignee.id
    request.updated_at = utcnow()
    db.session.flush()
    history_add(request, action="assigned", actor=actor,
                note=assignee.display_name or assignee.username)
    audit_record(actor=actor, action="appointment.assign", obj_type="request",
                 obj_id=request.reference, before={"assignee_id": before},
                 after={"assignee_id": assignee.id, "assignee": assignee.username})


def phone_viewed(*, request: ServiceRequest, actor: User) -> None:
    """Each view of a resident's full number is recorded."""
    audit_record(actor=actor, action="request.phone_view", obj_type="request",
                 obj_id=request.reference)
