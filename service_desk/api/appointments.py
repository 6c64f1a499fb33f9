"""The booking API: services, free slots, and appointments managed by reference + phone."""
from __future__ import annotations

import datetime as dt

from flask import current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..base.calendar import local_day
from ..base.limits import count_cached_read, lookup_budget, new_booking_limit, read_limit
from ..base.phones import mask_phone, normalise_mobile
from ..catalog.models import Channel, Service, ServiceKind
from ..catalog.service_cache import bookable_service
from ..db import utcnow
from ..extensions import db, limiter
from ..requests.appointments import appointment_book, appointment_cancel, appointment_reschedule
from ..requests.errors import DuplicateBooking, RequestError, SlotTaken
from ..requests.models import ServiceRequest
from ..requests.references import find_booking
from ..requests.residents import ResidentError, resident_check
from . import bp
from .body import ApiProblem, Field, invalid, json_body
from .slots_cache import service_version, slots_answer
from .slots_window import slots_window

API_CHANNELS = {"web": Channel.WEB, "wechat": Channel.WECHAT}


def service_json(service: Service) -> dict:
    return {"code": service.code, "name": service.name, "name_en": service.name_en,
            "kind": service.kind.value,
            "location": service.location.value if service.location else None,
            "channels": service.channels, "eligible_groups": service.eligible_groups,
            "duration_minutes": service.duration_minutes, "capacity": service.capacity,
            "description": service.description}


def slot_json(slot) -> dict:
    return {"start": slot.start.isoformat(), "end": slot.end.isoformat(),
            "capacity": slot.capacity, "remaining": slot.remaining}


def appointment_json(item: ServiceRequest, service: Service) -> dict:
    return {"reference": item.reference, "service_code": service.code,
            "service_name": service.name, "status": item.status.value,
            "start": item.starts_at.isoformat() if item.starts_at else None,
            "end": item.ends_at.isoformat() if item.ends_at else None,
            "name": item.resident_name, "phone": mask_phone(item.resident_phone),
            "address": item.address, "group": item.special_group.value if item.special_group else None,
            "needs": item.needs, "channel": item.channel.value}


def _service(code: str) -> Service:
    service = db.session.scalar(select(Service).where(Service.code == code,
                                                      Service.is_active.is_(True)))
    if service is None:
        raise ApiProblem(404, "not_found", "no such service")
    return service


@bp.get("/services")
@limiter.limit(read_limit)
def services():
    rows = db.session.scalars(select(Service).where(Service.is_active.is_(True)).order_by(Service.id))
    items = [service_json(s) for s in rows]
    return jsonify(items=items, total=len(items))


@bp.get("/services/<code>/slots")
def slots(code: str):
    count_cached_read()
    service = service_version(code)
    if service is None:
        raise ApiProblem(404, "not_found", "no such service")
    if service.kind is not ServiceKind.APPOINTMENT:
        raise ApiProblem(422, "not_bookable", "this service is not booked for a time",
                         {"code": "a request service, not an appointment"})
    now = utcnow()
    day = local_day(now)
    window = slots_window(request.args.get("from"), request.args.get("to"), day)
    if isinstance(window, dict):
        raise ApiProblem(422, "invalid_parameter", "invalid date range", window)
    first, last = window
    answer = slots_answer(service_id=service.id, version=service.slots_version, first=first,
                          last=last, today=day, now=now)
    # 304 for a client that has this version (a weak match, as for any GET); the check is
    # ours, not make_conditional's, which also dated and range-checked every answer
    current = "If-None-Match" in request.headers and request.if_none_match.contains_weak(
        answer.etag)
    response = current_app.response_class(b"" if current else answer.body,
                                          status=304 if current else 200,
                                          mimetype="application/json")
    response.set_etag(answer.etag)
    response.headers["Cache-Control"] = "no-cache"  # a client may keep it, but must ask again
    return response


def _parse_start(raw) -> dt.datetime | None:
    try:
        start = dt.datetime.fromisoformat(str(raw))
    except ValueError:
        return None
    return start.astimezone(dt.UTC) if start.tzinfo else None


def _taken(exc: SlotTaken):
    payload = {"error": {"code": "slot_full", "message": str(exc.message), "fields": {}},
               "alternatives": [slot_json(s) for s in exc.alternatives]}
    return jsonify(payload), 409


def _duplicate(exc: DuplicateBooking):
    existing = exc.existing
    payload = {"error": {"code": "duplicate_booking", "message": str(exc.message), "fields": {}},
               # when, never which: the reference and the phone would let anyone cancel it
               "existing": {"start": existing.starts_at.isoformat() if existing.starts_at
                            else None}}
    return jsonify(payload), 409


PHONE = Field(str, required=True, doc={"description": "the mainland China mobile number "
                                                     "the booking was made with"})
START = Field(str, required=True, doc={"format": "date-time",
                                       "description": "a start given by the slots endpoint"})
BOOK_FIELDS = {
    "service_code": Field(str, required=True), "start": START,
    "name": Field(str, required=True, doc={"maxLength": 50}),
    "phone": Field(str, required=True, doc={"example": "13812345678"}),
    "address": Field(str, nullable=True, doc={"description": "required for a home visit"}),
    "group": Field(str, doc={"enum": ["elderly", "disabled", "pregnant", "enterprise", "everyone"],
                             "description": "who the booking is for, to prioritise and prepare; "
                                            "leave it out (or everyone) for a member of the "
                                            "public. A service whose eligible_groups lack "
                                            "everyone takes only the groups it lists"}),
    "needs": Field(str, nullable=True), "channel": Field(str, doc={"enum": list(API_CHANNELS)}),
}
CANCEL_FIELDS = {"phone": PHONE, "reason": Field(str, nullable=True, max_length=1000)}
RESCHEDULE_FIELDS = {"phone": PHONE, "start": START}


@bp.post("/appointments")
@new_booking_limit
def book():
    body = json_body(BOOK_FIELDS)
    fields: dict[str, str] = {}
    found = bookable_service(body["service_code"])  # from memory; the booking checks it
    service, cached_as = found if found is not None else (None, None)
    if service is None:
        fields["service_code"] = "unknown service"
    start = _parse_start(body.get("start"))
    if start is None:
        fields["start"] = "an ISO 8601 time with offset, as given by the slots endpoint"
    channel = API_CHANNELS.get(body.get("channel", "web"))
    if channel is None:
        fields["channel"] = "web or wechat"
    try:
        resident = resident_check(name=body.get("name"), phone=body.get("phone"),
                                  address=body.get("address"), group=body.get("group"),
                                  needs=body.get("needs"))
    except ResidentError as exc:
        fields.update({k: str(v) for k, v in exc.errors.items()})
    if fields:
        raise invalid(fields)
    try:
        # the booking commits: nothing else is written here
        item = appointment_book(service=service, start=start, resident=resident, channel=channel,
                                cached_as=cached_as, commit=True)
        answer = appointment_json(item, service)  # before the commit expires what it reads
        db.session.commit()  # the session's side of it: the database's is done
    except DuplicateBooking as exc:
        db.session.rollback()
        return _duplicate(exc)
    except SlotTaken as exc:
        db.session.rollback()
        return _taken(exc)
    except RequestError as exc:
        db.session.rollback()
        raise invalid({exc.field: exc.message} if exc.field else {}, str(exc.message)) from None
    return jsonify(answer), 201


def own_booking(reference: str, phone: str | None) -> tuple[ServiceRequest, Service]:
    """404 alike for an unknown reference and a wrong phone."""
    item = find_booking(reference=reference, phone=normalise_mobile(phone))
    if item is None:
        raise ApiProblem(404, "not_found", "no booking with this reference and phone")
    return item, db.session.get(Service, item.service_id)


@bp.get("/appointments/<reference>")
@lookup_budget
def appointment(reference: str):
    item, service = own_booking(reference, request.args.get("phone"))
    return jsonify(appointment_json(item, service))


@bp.post("/appointments/<reference>/cancel")
@lookup_budget
def cancel(reference: str):
    body = json_body(CANCEL_FIELDS)
    item, service = own_booking(reference, body["phone"])
    try:
        appointment_cancel(request=item, service=service, note=body.get("reason"))
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise ApiProblem(409, "conflict", "this booking changed meanwhile; look it up again") from None
    except RequestError as exc:
        db.session.rollback()
        raise ApiProblem(409, "not_active", str(exc.message)) from None
    return jsonify(appointment_json(item, service))


@bp.post("/appointments/<reference>/reschedule")
@lookup_budget
def reschedule(reference: str):
    body = json_body(RESCHEDULE_FIELDS)
    item, service = own_booking(reference, body["phone"])
    start = _parse_start(body["start"])
    if start is None:
        raise invalid({"start": "an ISO 8601 time with offset"}, "invalid start")
    try:
        appointment_reschedule(request=item, service=service, start=start)
        db.session.commit()
    except DuplicateBooking as exc:
        db.session.rollback()
        return _duplicate(exc)
    except SlotTaken as exc:
        db.session.rollback()
        return _taken(exc)
    except StaleDataError:
        db.session.rollback()
        raise ApiProblem(409, "conflict", "this booking changed meanwhile; look it up again") from None
    except RequestError as exc:
        db.session.rollback()
        if exc.field is None:
            raise ApiProblem(409, "not_active", str(exc.message)) from None
        raise invalid({exc.field: exc.message}, str(exc.message)) from None
    return jsonify(appointment_json(item, service))
