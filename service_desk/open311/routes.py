"""Thin views of GeoReport v2: parse, call a query or the service, commit once, and answer in
the format the path's extension names (…/services.json, …/services.xml)."""
from __future__ import annotations

import datetime as dt

from flask import current_app, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..audit.models import AuditEvent
from ..base.calendar import zone
from ..base.display import normalise_reference
from ..db import utcnow
from ..extensions import db, limiter
from ..i18n import when_text
from ..requests.models import RequestStatus
from . import bp
from .definitions import service_attributes
from .keys import api_key_for
from .queries import (
    CLOSED,
    MAX_REQUESTS,
    OPEN,
    RequestQuery,
    reference_for_token,
    requests_open311,
    service_open311,
    services_open311,
)
from .serialize import definition_dict, error_response, request_dict, respond, service_dict
from .services import Open311Error, field_error, posted_from, request_post

FMT = "<any(json,xml):fmt>"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
DEFAULT_JURISDICTION = "weihai-etdz.gov.cn"
MAX_SPAN = dt.timedelta(days=90)  # the specification's default and largest date range
DOCUMENT_CHANGESET = "2025-01-01T00:00:00+08:00"  # when the endpoint list last changed


def read_limit() -> str:
    return current_app.config.get("OPEN311_RATE_LIMIT", "120 per minute")


def post_limit() -> str:
    return current_app.config.get("OPEN311_POST_RATE_LIMIT", "30 per minute")


def service_type() -> str:
    """realtime (the id comes back at once) or batch (a token, exchanged at tokens/)."""
    value = current_app.config.get("OPEN311_SERVICE_TYPE", "realtime")
    return value if value in ("realtime", "batch") else "realtime"


@bp.errorhandler(Open311Error)
def open311_error(exc: Open311Error):
    db.session.rollback()
    return error_response(exc.status, exc.descriptions)


def _param(name: str) -> str:
    return (request.values.get(name) or "").strip()


def _check_jurisdiction() -> None:
    """Optional, as one jurisdiction is served; when given it must be ours (else 404)."""
    given = _param("jurisdiction_id")
    ours = current_app.config.get("OPEN311_JURISDICTION_ID", DEFAULT_JURISDICTION)
    if given and given != ours:
        raise Open311Error(404, [field_error("jurisdiction_id", _(
            "Jurisdiction %(given)s not found; this endpoint serves %(ours)s.",
            given=given, ours=ours))])


# --- discovery and services -----------------------------------------------------------------

@bp.get(f"/discovery.{FMT}")
@limiter.limit(read_limit)
def discovery(fmt: str):
    changed = db.session.scalar(select(func.max(AuditEvent.at)).where(
        AuditEvent.object_type == "service"))
    tz = zone()
    endpoint_changeset = (changed.astimezone(tz).isoformat(timespec="seconds") if changed
                          else DOCUMENT_CHANGESET)
    data = {
        "changeset": max(DOCUMENT_CHANGESET, endpoint_changeset),
        "contact": current_app.config.get("OPEN311_CONTACT") or _(
            "Service Desk of the Weihai Economic and Technological Development Zone: ask the "
            "government service centre."),
        "key_service": current_app.config.get("OPEN311_KEY_SERVICE") or _(
            "api_keys are issued by the Service Desk administrators to client applications "
            "on request."),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": url_for("open311.discovery", fmt="json", _external=True).rsplit("/", 1)[0],
            "changeset": endpoint_changeset,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }
    return respond("discovery", data, fmt)


@bp.get(f"/services.{FMT}")
@limiter.limit(read_limit)
def services(fmt: str):
    _check_jurisdiction()
    kind = service_type()
    items = [service_dict(row, has_attributes=bool(service_attributes(row.service)),
                          service_type=kind) for row in services_open311()]
    return respond("services", items, fmt)


@bp.get(f"/services/<service_code>.{FMT}")
@bp.get(f"/service/<service_code>.{FMT}")  # the singular some older clients ask for
@limiter.limit(read_limit)
def service_definition(service_code: str, fmt: str):
    _check_jurisdiction()
    service = service_open311(service_code)
    if service is None:
        raise Open311Error(404, [field_error("service_code", _(
            "Service %(code)s not found.", code=service_code))])
    return respond("service_definition",
                   definition_dict(service, service_attributes(service)), fmt)


# --- requests -------------------------------------------------------------------------------

@bp.post(f"/requests.{FMT}")
@limiter.limit(post_limit)
def request_create(fmt: str):
    key = api_key_for(_param("api_key"))
    if key is None:
        raise Open311Error(403, [field_error("api_key", _(
            "Missing or invalid api_key: ask the Service Desk for one."))])
    _check_jurisdiction()
    code = _param("service_code")
    if not code:
        raise Open311Error(400, [field_error("service_code", _("service_code is required."))])
    service = service_open311(code)
    if service is None:
        raise Open311Error(404, [field_error("service_code", _(
            "Service %(code)s not found.", code=code))])
    item = request_post(service=service, posted=posted_from(request.values), api_key=key)
    reference, token, due_at = item.reference, item.open311_token, item.due_at
    db.session.commit()
    answer: dict = {"token": token} if service_type() == "batch" else {
        "service_request_id": reference}
    answer["service_notice"] = _(
        "Sent to the unit in charge; a reply is expected by %(when)s.",
        when=when_text(due_at))
    answer["account_id"] = None
    return respond("service_requests", [answer], fmt)


def _w3(name: str) -> dt.datetime | None:
    """A w3 date or date-time parameter as an aware datetime; local time when no offset."""
    raw = _param(name).replace(" ", "+")  # an unescaped + in a query string arrives as space
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise Open311Error(400, [field_error(name, _(
            "Use the w3 date format, such as 2024-05-01T00:00:00+08:00."))]) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone())
    return value


def _list(name: str) -> tuple[str, ...]:
    """A comma-delimited parameter, which may also be declared several times."""
    items: list[str] = []
    for raw in request.args.getlist(name):
        items.extend(part.strip() for part in raw.split(",") if part.strip())
    return tuple(dict.fromkeys(items))


def _query() -> RequestQuery:
    references = tuple(dict.fromkeys(normalise_reference(r) for r in _list("service_request_id")))
    if references:
        if len(references) > MAX_REQUESTS:
            raise Open311Error(400, [field_error("service_request_id", _(
                "Ask for %(n)d requests at most.", n=MAX_REQUESTS))])
        return RequestQuery(references=references)  # overrides all other arguments
    statuses: list[RequestStatus] = []
    for value in _list("status"):
        if value not in ("open", "closed"):
            raise Open311Error(400, [field_error("status", _(
                "Use open or closed, or both separated by a comma."))])
        statuses.extend(OPEN if value == "open" else CLOSED)
    start, end = _w3("start_date"), _w3("end_date")
    if start is None and end is None:
        end = utcnow()
        start = end - MAX_SPAN
    elif start is None:
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    if end < start:
        raise Open311Error(400, [field_error("end_date", _(
            "end_date is before start_date."))])
    if end - start > MAX_SPAN:
        raise Open311Error(400, [field_error("end_date", _(
            "The range may not span more than 90 days."))])
    return RequestQuery(service_codes=_list("service_code"), start=start, end=end,
                        statuses=tuple(dict.fromkeys(statuses)))


@bp.get(f"/requests.{FMT}")
@limiter.limit(read_limit)
def requests_list(fmt: str):
    _check_jurisdiction()
    rows = requests_open311(_query())
    return respond("service_requests", [request_dict(row) for row in rows], fmt)


@bp.get(f"/requests/<service_request_id>.{FMT}")
@limiter.limit(read_limit)
def request_one(service_request_id: str, fmt: str):
    _check_jurisdiction()
    reference = normalise_reference(service_request_id)
    rows = requests_open311(RequestQuery(references=(reference,)), limit=1) if reference else []
    if not rows:
        raise Open311Error(404, [field_error("service_request_id", _(
            "Request %(id)s not found.", id=service_request_id))])
    return respond("service_requests", [request_dict(rows[0])], fmt)


@bp.get(f"/tokens/<token>.{FMT}")
@limiter.limit(read_limit)
def token_lookup(token: str, fmt: str):
    _check_jurisdiction()
    reference = reference_for_token(token)
    if reference is None:
        raise Open311Error(404, [field_error("token", _("Token %(token)s not found.",
                                                          token=token))])
    return respond("service_requests", [{"service_request_id": reference, "token": token}], fmt)
