"""Staff handling their unit's appointments: arrived, completed, no-show, cancelled, assigned.

Every change checks the version the staff member saw (a stale form changes nothing), writes a
RequestEvent and an audit record, and flushes; the view commits. Cancelling goes through the
booking core so the place in the slot is freed.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..accounts.models import Role, User
from ..audit.services import audit_record
from ..bookings.models import RequestEvent, RequestStatus, ServiceRequest
from ..bookings.services import ACTIVE, BookingError, appointment_cancel
from ..catalog.models import Service, ServiceLocation
from ..db import utcnow
from ..extensions import db

NOTE_REQUIRED = frozenset({RequestStatus.NO_SHOW, RequestStatus.CANCELLED})
NOTE_MAX = 2000

# the audit action of each change ("appointment.cancel" is written by the booking core)
_AUDIT_ACTIONS = {
    RequestStatus.ARRIVED: "appointment.arrive",
    RequestStatus.COMPLETED: "appointment.complete",
    RequestStatus.NO_SHOW: "appointment.no_show",
}


class ScheduleError(ValueError):
    """A change refused; ``field`` names the form field it belongs to, if any."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class StaleBooking(ScheduleError):
    def __init__(self) -> None:
        super().__init__(_l("This booking changed meanwhile: nothing was saved. "
                            "Check its current state below and try again."))


def is_home_visit(service: Service) -> bool:
    return service.location is ServiceLocation.HOME


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
        raise StaleBooking()


def _clean_note(note: str | None) -> str | None:
    note = (note or "").strip() or None
    if note and len(note) > NOTE_MAX:
        raise ScheduleError(_l("The note is too long (%(n)d characters at most).", n=NOTE_MAX),
                            "note")
    return note


def booking_mark(*, request: ServiceRequest, service: Service, status: RequestStatus,
                 note: str | None, actor: User, expected_version: int | None) -> None:
    """Record what happened to a booking; raises ScheduleError (StaleBooking when stale)."""
    _check_version(request, expected_version)
    if status not in allowed_changes(request, service):
        raise ScheduleError(_l("This booking cannot be marked that way from where it is now."),
                            "status")
    note = _clean_note(note)
    if status in NOTE_REQUIRED and not note:
        raise ScheduleError(_l("Say what happened: a note is required for a no-show or a "
                               "cancellation."), "note")
    if status is RequestStatus.CANCELLED:
        try:
            appointment_cancel(request=request, service=service, actor=actor, note=note)
        except BookingError as exc:
            raise ScheduleError(exc.message) from exc
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
        from ..ratings.links import completion_text

        completion_text(request=request, service=service)
    db.session.add(RequestEvent(request_id=request.id, action=status.value, actor_id=actor.id,
                                status_after=status, unit_id=request.unit_id, note=note))
    audit_record(actor=actor, action=_AUDIT_ACTIONS[status], obj_type="request",
                 obj_id=request.reference, before={"status": before.value},
                 after={"status": status.value, "note": note})


def booking_assign(*, request: ServiceRequest, service: Service, assignee: User | None,
                   actor: User, expected_version: int | None) -> None:
    """Give a home visit to a staff member of the booking's own unit."""
    _check_version(request, expected_version)
    if not is_home_visit(service):
        raise ScheduleError(_l("Only home visits are assigned to a staff member."))
    if request.status not in ACTIVE:
        raise ScheduleError(_l("This booking is already cancelled or finished."))
    if (assignee is None or not assignee.is_active or assignee.role is not Role.STAFF
            or assignee.unit_id is None or assignee.unit_id != request.unit_id):
        raise ScheduleError(_l("Choose a staff member of the unit that holds this booking."),
                            "assignee")
    if assignee.id == request.assignee_id:
        raise ScheduleError(_l("This visit is already assigned to %(name)s.",
                               name=assignee.display_name or assignee.username), "assignee")
    before = request.assignee_id
    request.assignee_id = assignee.id
    request.updated_at = utcnow()
    db.session.flush()
    name = assignee.display_name or assignee.username
    db.session.add(RequestEvent(request_id=request.id, action="assigned", actor_id=actor.id,
                                status_after=request.status, unit_id=request.unit_id, note=name))
    audit_record(actor=actor, action="appointment.assign", obj_type="request",
                 obj_id=request.reference, before={"assignee_id": before},
                 after={"assignee_id": assignee.id, "assignee": assignee.username})


def phone_viewed(*, request: ServiceRequest, actor: User) -> None:
    """Each view of a resident's full number is recorded."""
    audit_record(actor=actor, action="request.phone_view", obj_type="request",
                 obj_id=request.reference)
