"""Residents report a problem (no account), and follow it with its reference + phone."""
from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import select

from ..base.limits import lookup_budget, write_limit
from ..base.phones import mask_phone, normalise_mobile
from ..catalog.models import Service, ServiceKind
from ..extensions import db, limiter
from ..requests.errors import RequestError
from ..requests.lifecycle import MAX_TEXT, report_create
from ..requests.models import RequestType, ServiceRequest
from ..requests.references import find_booking
from ..requests.residents import ResidentError, resident_check
from ..units.models import Unit
from . import bp
from .appointments import API_CHANNELS
from .body import ApiProblem, Field, invalid, json_body

REPORT_FIELDS = {
    "service_code": Field(str, required=True), "description": Field(str, required=True),
    "name": Field(str, required=True), "phone": Field(str, required=True),
    "address": Field(str, nullable=True), "group": Field(str, nullable=True),
    "needs": Field(str, nullable=True), "unit": Field(str, nullable=True),
    "channel": Field(str),
    "request_type": Field(str, nullable=True, doc={
        "enum": [t.value for t in RequestType] + [None],
        "description": "the 12345 type: complaint (投诉), enquiry (咨询), suggestion (建议), "
                       "help (求助) or praise (表扬); optional"}),
}


def report_json(item: ServiceRequest, service: Service, unit: Unit | None) -> dict:
    """What the resident may see of their report: no staff names, the phone masked."""
    return {"reference": item.reference, "status": item.status.value,
            "service_code": service.code, "service_name": service.name,
            "unit": unit.code if unit else None, "unit_name": unit.name if unit else None,
            "description": item.description, "reply": item.reply,
            "name": item.resident_name, "phone": mask_phone(item.resident_phone),
            "address": item.address, "channel": item.channel.value,
            "request_type": item.request_type.value if item.request_type else None,
            "created_at": item.created_at.isoformat(),
            "due_at": item.due_at.isoformat() if item.due_at else None,
            "resolved_at": item.resolved_at.isoformat() if item.resolved_at else None}


@bp.post("/reports")
@limiter.limit(write_limit)
def report():
    body = json_body(REPORT_FIELDS)
    fields: dict[str, object] = {}
    service = db.session.scalar(select(Service).where(
        Service.code == body["service_code"], Service.is_active.is_(True),
        Service.kind == ServiceKind.DISPATCH))
    if service is None:
        fields["service_code"] = "unknown service, or not one that takes reported problems"
    unit = None
    if body.get("unit"):
        unit = db.session.scalar(select(Unit).where(Unit.code == body["unit"]))
        if unit is None:
            fields["unit"] = "unknown unit"
    channel = API_CHANNELS.get(body.get("channel", "web"))
    if channel is None:
        fields["channel"] = "web or wechat"
    request_type = None
    if body.get("request_type"):
        try:
            request_type = RequestType(body["request_type"])
        except ValueError:
            fields["request_type"] = "one of " + ", ".join(t.value for t in RequestType)
    if len(body["description"]) > MAX_TEXT:
        fields["description"] = f"at most {MAX_TEXT} characters"
    try:
        resident = resident_check(name=body["name"], phone=body["phone"],
                                  address=body.get("address"), group=body.get("group"),
                                  needs=body.get("needs"))
    except ResidentError as exc:
        fields.update(exc.errors)
    if fields:
        raise invalid(fields)
    try:
        item = report_create(service=service, resident=resident, description=body["description"],
                             channel=channel, actor=None, unit=unit, request_type=request_type)
        db.session.commit()
    except RequestError as exc:
        db.session.rollback()
        raise invalid({exc.field: exc.message} if exc.field else {}, str(exc.message)) from None
    return jsonify(report_json(item, service, db.session.get(Unit, item.unit_id))), 201


@bp.get("/reports/<reference>")
@lookup_budget
def report_get(reference: str):
    """404 alike for an unknown reference, a wrong phone, or an appointment's reference."""
    item = find_booking(reference=reference, phone=normalise_mobile(request.args.get("phone")))
    service = db.session.get(Service, item.service_id) if item is not None else None
    if item is None or service.kind is not ServiceKind.DISPATCH:
        raise ApiProblem(404, "not_found", "no report with this reference and phone")
    unit = db.session.get(Unit, item.unit_id) if item.unit_id else None
    return jsonify(report_json(item, service, unit))
