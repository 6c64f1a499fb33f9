"""The 12345 lifecycle of a request sent to a unit: dispatch (派单), accept (签收), handle
(办理), resolve (办结), call back (回访), and return (退回) for a supervisor to reassign.

Plain functions that flush and never commit; the view commits once. Every change writes a
RequestEvent and an audit record. Who may act is checked by the caller (permissions.py);
what may happen next is decided here, by the request's status alone (``TRANSITIONS``).
"""
from __future__ import annotations

import datetime as dt
import enum

from flask_babel import lazy_gettext as _l

from ..audit.services import audit_record
from ..base.calendar import deadline_after, zone
from ..base.deadlines import is_due_soon as deadline_due_soon
from ..base.deadlines import is_late
from ..catalog.hours import dispatch_days_of
from ..catalog.models import Channel, Service, ServiceKind
from ..db import utcnow
from ..extensions import db
from ..units.models import Unit
from .eligibility import eligibility_check
from .errors import NotChangeable, RequestError, StaleRequest
from .history import history_add
from .models import RequestStatus, RequestType, Satisfaction, ServiceRequest
from .references import new_reference
from .residents import Resident
from .texts import completion_text, received_text

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


def is_overdue(request: ServiceRequest, now: dt.datetime) -> bool:
    """Still waiting on a unit, past its deadline."""
    return request.status in OPEN_STATUSES and is_late(request.due_at, now)


def is_due_soon(request: ServiceRequest, now: dt.datetime) -> bool:
    return request.status in OPEN_STATUSES and deadline_due_soon(request.due_at, now)


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
    """Raise StaleRequest when the form is older than the request, NotChangeable when the
    request's status does not allow ``action``; changes nothing."""
    if expected_version is not None and expected_version != request.version:
        raise StaleRequest()
    if action not in allowed_actions(request):
        raise NotChangeable(_REFUSALS[action])


def _text(value: str | None, *, field: str, required_message) -> str:
    text = (value or "").strip()
    if not text:
        raise RequestError(required_message, field)
    if len(text) > MAX_TEXT:
        raise RequestError(_l("Please keep this to 4000 characters or fewer."), field)
    return text


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
                  open311_token: str | None = None,
                  request_type: RequestType | None = None) -> ServiceRequest:
    """A resident's problem, dispatched at once (派单) to the chosen unit or the service's own,
    with a deadline ``dispatch_days`` working days ahead.

    The keyword arguments after ``now`` carry what an Open311 client sends (location, e-mail,
    media, the service definition's attributes, the client's api key and the request token);
    the request is otherwise the same as one reported on the hotline."""
    now = now or utcnow()
    if service.kind is not ServiceKind.DISPATCH or not service.is_active:
        raise RequestError(_l("Choose a service that handles reported problems."), "service")
    if unit is not None and not unit.is_active:
        raise RequestError(_l("That unit no longer takes requests. Choose another."), "unit")
    unit_id = unit.id if unit is not None else service.unit_id
    if unit_id is None:
        raise RequestError(_l("This service has no unit of its own: choose the unit to send "
                               "the request to."), "unit")
    eligibility_check(service, resident.group)
    text = report_text(description)
    request = ServiceRequest(
        reference=new_reference(), service_id=service.id, channel=channel,
        status=RequestStatus.DISPATCHED, resident_name=resident.name,
        resident_phone=resident.phone, address=resident.address, special_group=resident.group,
        needs=resident.needs, description=text, unit_id=unit_id,
        created_by_id=getattr(actor, "id", None),
        due_at=deadline_after(now, dispatch_days_of(service), zone()),
        created_at=now, updated_at=now, lat=lat, long=long, resident_email=email,
        media_url=media_url, attributes=attributes, api_key_id=api_key_id,
        open311_token=open311_token, request_type=request_type)
    db.session.add(request)
    db.session.flush()
    history_add(request, action="dispatched", actor=actor, note=channel.value, at=now)
    received_text(request, service)
    audit_record(actor=actor or "resident", action="request.dispatch", obj_type="request",
                 obj_id=request.reference,
                 after={"service": service.code, "unit": _unit_code(unit_id),
                        "channel": channel.value, "due_at": request.due_at.isoformat(),
                        "type": request_type.value if request_type else None})
    return request


def report_text(description: str | None) -> str:
    """The problem as reported, required (RequestError on ``description``): callable on its
    own so a form can show this error together with all the others."""
    return _text(description, field="description",
                 required_message=_l("Describe the problem: what, where, since when."))


def request_accept(*, request: ServiceRequest, actor, note: str | None = None,
                   expected_version: int | None = None, now: dt.datetime | None = None) -> None:
    """签收: the unit takes the request on; the one who accepts becomes its assignee."""
    now = now or utcnow()
    action_check(request, Action.ACCEPT, expected_version)
    note = (note or "").strip() or None
    if note and len(note) > MAX_TEXT:
        raise RequestError(_l("Please keep this to 4000 characters or fewer."), "note")
    request.status = RequestStatus.ACCEPTED
    request.assignee_id = getattr(actor, "id", None)
    _save(request, now)
    history_add(request, action="accepted", actor=actor, note=note, at=now)
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
    history_add(request, action="handled", actor=actor, note=text, at=now)
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
    history_add(request, action="returned", actor=actor, note=text, at=now)
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
        raise RequestError(_l("Choose the unit to send the request to."), "unit")
    if not unit.is_active:
        raise RequestError(_l("That unit no longer takes requests. Choose another."), "unit")
    note = (note or "").strip() or None
    if note and len(note) > MAX_TEXT:
        raise RequestError(_l("Please keep this to 4000 characters or fewer."), "note")
    before = {"unit": _unit_code(request.unit_id),
              "due_at": request.due_at.isoformat() if request.due_at else None}
    request.status = RequestStatus.DISPATCHED
    request.unit_id = unit.id
    request.assignee_id = None
    request.due_at = deadline_after(now, dispatch_days_of(service), zone())
    _save(request, now)
    history_add(request, action="reassigned", actor=actor, note=note, at=now)
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
    history_add(request, action="resolved", actor=actor, note=text, at=now)
    # the reply goes with the link to rate the service (好差评)
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
        raise RequestError(_l("Choose what the resident said about the result."), "satisfaction")
    text = _text(note, field="note",
                 required_message=_l("Note what the resident said on the call-back."))
    request.status = RequestStatus.CALLED_BACK
    request.callback_answer, request.callback_note, request.called_back_at = satisfaction, text, now
    _save(request, now)
    history_add(request, action="called_back", actor=actor, note=text, at=now)
    audit_record(actor=actor, action="request.callback", obj_type="request",
                 obj_id=request.reference, before={"status": "resolved"},
                 after={"status": "called_back", "satisfaction": satisfaction.value, "note": text})
