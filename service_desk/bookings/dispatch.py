"""The 12345 lifecycle of a request sent to a unit: dispatch (派单), accept (签收), handle
(办理), resolve (办结), call back (回访), and return (退回) for a supervisor to reassign.

Plain functions that flush and never commit; the view commits once. Every change writes a
RequestEvent and an audit record. Who may act is checked by the caller (permissions.py);
what may happen next is decided here, by the request's status alone (``TRANSITIONS``).
"""
from __future__ import annotations

import datetime as dt
import enum
from zoneinfo import ZoneInfo

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l

from ..audit.services import audit_record
from ..catalog.models import Channel, Service, ServiceKind
from ..db import utcnow
from ..extensions import db
from ..notifications.models import Notification
from ..units.models import Unit
from .availability import china_calendar, is_makeup_workday, zone
from .models import RequestEvent, RequestStatus, ServiceRequest
from .residents import Resident
from .services import new_reference

DEFAULT_DISPATCH_DAYS = 5
DEADLINE_TIME = dt.time(18, 0)  # a deadline ends at the close of the working day, local time
MAX_TEXT = 4000


class Action(enum.Enum):
    ACCEPT = "accept"
    HANDLE = "handle"
    RETURN = "return"
    RESOLVE = "resolve"
    REASSIGN = "reassign"
    CALLBACK = "callback"


# status now -> what may happen next; anything else is refused
TRANSITIONS: dict[RequestStatus, frozenset[Action]] = {
    RequestStatus.DISPATCHED: frozenset({Action.ACCEPT, Action.RETURN}),
    RequestStatus.ACCEPTED: frozenset({Action.HANDLE, Action.RESOLVE, Action.RETURN}),
    RequestStatus.RETURNED: frozenset({Action.REASSIGN}),
    RequestStatus.RESOLVED: frozenset({Action.CALLBACK}),
}

# still waiting on a unit: these can run late
OPEN_STATUSES = (RequestStatus.DISPATCHED, RequestStatus.ACCEPTED, RequestStatus.RETURNED)
LIFECYCLE_STATUSES = OPEN_STATUSES + (RequestStatus.RESOLVED, RequestStatus.CALLED_BACK)


class Satisfaction(enum.Enum):
    """The resident's answer on the call-back, on the national five levels (好差评)."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    FAIRLY_SATISFIED = "fairly_satisfied"
    DISSATISFIED = "dissatisfied"
    VERY_DISSATISFIED = "very_dissatisfied"


class DispatchError(ValueError):
    """A refused change, with a message for the person who asked (and the form field)."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class StaleRequest(DispatchError):
    """Someone else changed the request after this form was opened."""

    def __init__(self) -> None:
        super().__init__(_l("This request was changed meanwhile by someone else. "
                            "Its current state is shown below; check it and try again."))


# --- deadlines in working days -------------------------------------------------------------

def is_working_day(day: dt.date) -> bool:
    """Mon–Fri except public holidays and their days off; plus make-up Saturdays/Sundays (调休)."""
    if day in china_calendar(day.year):
        return False
    if day.weekday() >= 5:
        return is_makeup_workday(day)
    return True


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (the day of dispatch itself does not count)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def deadline_after(now: dt.datetime, days: int, tz: ZoneInfo) -> dt.datetime:
    """18:00 local time on the ``days``-th working day after ``now``'s local date, in UTC."""
    local_day = now.astimezone(tz).date()
    due = add_working_days(local_day, days)
    return dt.datetime.combine(due, DEADLINE_TIME, tzinfo=tz).astimezone(dt.timezone.utc)


def dispatch_days_of(service: Service) -> int:
    return service.dispatch_days if service.dispatch_days and service.dispatch_days > 0 \
        else DEFAULT_DISPATCH_DAYS


def allowed_actions(request: ServiceRequest) -> frozenset[Action]:
    return TRANSITIONS.get(request.status, frozenset())


# --- helpers --------------------------------------------------------------------------------

_REFUSALS = {
    Action.ACCEPT: _l("Only a newly dispatched request can be accepted."),
    Action.HANDLE: _l("Notes on the handling can be added only after the request is accepted "
                      "and before it is resolved."),
    Action.RETURN: _l("Only a request that is dispatched or being handled can be returned."),
    Action.RESOLVE: _l("Only an accepted request can be resolved: accept it first."),
    Action.REASSIGN: _l("Only a returned request can be reassigned."),
    Action.CALLBACK: _l("Only a resolved request can be called back, once."),
}


def action_check(request: ServiceRequest, action: Action, expected_version: int | None) -> None:
    """Raise StaleRequest when the form is older than the request, DispatchError when the
    request's status does not allow ``action``; changes nothing."""
    if expected_version is not None and expected_version != request.version:
        raise StaleRequest()
    if action not in allowed_actions(request):
        raise DispatchError(_REFUSALS[action])


def _text(value: str | None, *, field: str, required_message) -> str:
    text = (value or "").strip()
    if not text:
        raise DispatchError(required_message, field)
    if len(text) > MAX_TEXT:
        raise DispatchError(_l("Please keep this to 4000 characters or fewer."), field)
    return text


def _event(request: ServiceRequest, *, action: str, actor, note: str | None = None,
           at: dt.datetime | None = None) -> RequestEvent:
    event = RequestEvent(request_id=request.id, action=action, at=at or utcnow(),
                         actor_id=getattr(actor, "id", None), status_after=request.status,
                         unit_id=request.unit_id, note=note)
    db.session.add(event)
    return event


def _save(request: ServiceRequest, now: dt.datetime) -> None:
    request.updated_at = now
    db.session.flush()  # the version check: a change that raced ours fails here (StaleDataError)


def _unit_code(unit_id: int | None) -> str | None:
    if unit_id is None:
        return None
    unit = db.session.get(Unit, unit_id)
    return unit.code if unit else None


# --- the lifecycle --------------------------------------------------------------------------

def report_create(*, service: Service, resident: Resident, description: str | None,
                  channel: Channel, actor, unit: Unit | None = None,
                  now: dt.datetime | None = None, lat: float | None = None,
                  long: float | None = None, email: str | None = None,
                  media_url: str | None = None, attributes: dict | None = None,
                  api_key_id: int | None = None,
                  open311_token: str | None = None) -> ServiceRequest:
    """A resident's problem, dispatched at once (派单) to the chosen unit or the service's own,
    with a deadline ``dispatch_days`` working days ahead.

    The keyword arguments after ``now`` carry what an Open311 client sends (location, e-mail,
    media, the service definition's attributes, the client's api key and the request token);
    the request is otherwise the same as one reported on the hotline."""
    now = now or utcnow()
    if service.kind is not ServiceKind.DISPATCH or not service.is_active:
        raise DispatchError(_l("Choose a service that handles reported problems."), "service")
    if unit is not None and not unit.is_active:
        raise DispatchError(_l("That unit no longer takes requests. Choose another."), "unit")
    unit_id = unit.id if unit is not None else service.unit_id
    if unit_id is None:
        raise DispatchError(_l("This service has no unit of its own: choose the unit to send "
                               "the request to."), "unit")
    text = _text(description, field="description",
                 required_message=_l("Describe the problem: what, where, since when."))
    request = ServiceRequest(
        reference=new_reference(), service_id=service.id, channel=channel,
        status=RequestStatus.DISPATCHED, resident_name=resident.name,
        resident_phone=resident.phone, address=resident.address, special_group=resident.group,
        needs=resident.needs, description=text, unit_id=unit_id,
        created_by_id=getattr(actor, "id", None),
        due_at=deadline_after(now, dispatch_days_of(service), zone()),
        created_at=now, updated_at=now, lat=lat, long=long, resident_email=email,
        media_url=media_url, attributes=attributes, api_key_id=api_key_id,
        open311_token=open311_token)
    db.session.add(request)
    db.session.flush()
    _event(request, action="dispatched", actor=actor, note=channel.value, at=now)
    with force_locale("zh_CN"):
        body = gettext("Received: your request %(ref)s (%(service)s) was sent to the unit in "
                       "charge.", ref=request.reference, service=service.name)
        subject = gettext("Service Desk request %(ref)s", ref=request.reference)
    db.session.add(Notification(
        kind="request-received", recipient=f"sms:{request.resident_phone}", subject=subject,
        body=body, dedupe_key=f"request-received:{request.id}"))
    audit_record(actor=actor or "resident", action="request.dispatch", obj_type="request",
                 obj_id=request.reference,
                 after={"service": service.code, "unit": _unit_code(unit_id),
                        "channel": channel.value, "due_at": request.due_at.isoformat()})
    return request


def request_accept(*, request: ServiceRequest, actor, note: str | None = None,
                   expected_version: int | None = None, now: dt.datetime | None = None) -> None:
    """签收: the unit takes the request on; the one who accepts becomes its assignee."""
    now = now or utcnow()
    action_check(request, Action.ACCEPT, expected_version)
    note = (note or "").strip() or None
    if note and len(note) > MAX_TEXT:
        raise DispatchError(_l("Please keep this to 4000 characters or fewer."), "note")
    request.status = RequestStatus.ACCEPTED
    request.assignee_id = getattr(actor, "id", None)
    _save(request, now)
    _event(request, action="accepted", actor=actor, note=note, at=now)
    audit_record(actor=actor, action="request.accept", obj_type="request",
                 obj_id=request.reference, before={"status": "dispatched"},
                 after={"status": "accepted"})


def request_handle(*, request: ServiceRequest, actor, note: str | None,
                   expected_version: int | None = None, now: dt.datetime | None = None) -> None:
    """办理: a note on what was done; the request stays accepted."""
    now = now or utcnow()
    action_check(request, Action.HANDLE, expected_version)
    text = _text(note, field="note", required_message=_l("Say what was done: the note is required."))
    _save(request, now)  # bumps the version: the next stale form is caught
    _event(request, action="handled", actor=actor, note=text, at=now)
    audit_record(actor=actor, action="request.handle", obj_type="request",
                 obj_id=request.reference, after={"note": text})


def request_return(*, request: ServiceRequest, actor, reason: str | None,
                   expected_version: int | None = None, now: dt.datetime | None = None) -> None:
    """退回: the unit sends back a request dispatched to it by mistake, with a reason."""
    now = now or utcnow()
    action_check(request, Action.RETURN, expected_version)
    text = _text(reason, field="reason",
                 required_message=_l("Give the reason for returning the request."))
    before = request.status.value
    request.status = RequestStatus.RETURNED
    request.assignee_id = None
    _save(request, now)
    _event(request, action="returned", actor=actor, note=text, at=now)
    audit_record(actor=actor, action="request.return", obj_type="request",
                 obj_id=request.reference, before={"status": before},
                 after={"status": "returned", "reason": text})


def request_reassign(*, request: ServiceRequest, service: Service, unit: Unit | None, actor,
                     note: str | None = None, expected_version: int | None = None,
                     now: dt.datetime | None = None) -> None:
    """A supervisor sends a returned request to a unit, with a new deadline; dispatched again."""
    now = now or utcnow()
    action_check(request, Action.REASSIGN, expected_version)
    if unit is None:
        raise DispatchError(_l("Choose the unit to send the request to."), "unit")
    if not unit.is_active:
        raise DispatchError(_l("That unit no longer takes requests. Choose another."), "unit")
    note = (note or "").strip() or None
    if note and len(note) > MAX_TEXT:
        raise DispatchError(_l("Please keep this to 4000 characters or fewer."), "note")
    before = {"unit": _unit_code(request.unit_id),
              "due_at": request.due_at.isoformat() if request.due_at else None}
    request.status = RequestStatus.DISPATCHED
    request.unit_id = unit.id
    request.assignee_id = None
    request.due_at = deadline_after(now, dispatch_days_of(service), zone())
    _save(request, now)
    _event(request, action="reassigned", actor=actor, note=note, at=now)
    audit_record(actor=actor, action="request.reassign", obj_type="request",
                 obj_id=request.reference, before=before,
                 after={"unit": unit.code, "due_at": request.due_at.isoformat()})


def request_resolve(*, request: ServiceRequest, service: Service, actor, reply: str | None,
                    expected_version: int | None = None, now: dt.datetime | None = None) -> None:
    """办结: the reply goes to the resident by text message (through the outbox)."""
    now = now or utcnow()
    action_check(request, Action.RESOLVE, expected_version)
    text = _text(reply, field="reply",
                 required_message=_l("Write the reply to the resident: it is required."))
    request.status = RequestStatus.RESOLVED
    request.reply = text
    request.resolved_at = now
    request.served_by_id = actor.id if actor is not None else None
    _save(request, now)
    _event(request, action="resolved", actor=actor, note=text, at=now)
    # the reply goes with the link to rate the service (好差评); ratings builds on bookings
    from ..ratings.links import completion_text

    completion_text(request=request, service=service, reply=text)
    audit_record(actor=actor, action="request.resolve", obj_type="request",
                 obj_id=request.reference, before={"status": "accepted"},
                 after={"status": "resolved", "reply": text})


def request_callback(*, request: ServiceRequest, actor, satisfaction: Satisfaction | None,
                     note: str | None, expected_version: int | None = None,
                     now: dt.datetime | None = None) -> None:
    """回访: the resident is called back and asked whether they are satisfied."""
    now = now or utcnow()
    action_check(request, Action.CALLBACK, expected_version)
    if not isinstance(satisfaction, Satisfaction):
        raise DispatchError(_l("Choose what the resident said about the result."), "satisfaction")
    text = _text(note, field="note",
                 required_message=_l("Note what the resident said on the call-back."))
    request.status = RequestStatus.CALLED_BACK
    _save(request, now)
    # the history keeps the answer's code first, so it can be shown in words in any language
    _event(request, action="called_back", actor=actor, note=f"{satisfaction.value}: {text}", at=now)
    audit_record(actor=actor, action="request.callback", obj_type="request",
                 obj_id=request.reference, before={"status": "resolved"},
                 after={"status": "called_back", "satisfaction": satisfaction.value, "note": text})


def callback_parts(note: str | None) -> tuple[Satisfaction | None, str | None]:
    """Split a call-back event's note into the resident's answer and the operator's words."""
    head, sep, rest = (note or "").partition(": ")
    try:
        return Satisfaction(head), rest if sep else None
    except ValueError:
        return None, note
