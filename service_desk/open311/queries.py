"""Reads of the Open311 endpoints: each a bounded number of statements (one for the service
list or a definition, two for any list of requests)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from ..catalog.models import Channel, Service, ServiceKind
from ..extensions import db
from ..requests.models import RequestEvent, RequestStatus, ServiceRequest
from ..units.models import Unit

OPEN = (RequestStatus.DISPATCHED, RequestStatus.ACCEPTED, RequestStatus.RETURNED)
CLOSED = (RequestStatus.RESOLVED, RequestStatus.CALLED_BACK, RequestStatus.COMPLETED,
          RequestStatus.CANCELLED)
# what a unit writes about the work itself; return reasons and reassignment notes are
# internal routing, and call-back notes are the resident's own words: never published
PUBLIC_NOTE_ACTIONS = ("accepted", "handled")
MAX_REQUESTS = 1000  # the specification's default cap


@dataclass(frozen=True)
class ServiceRow:
    service: Service
    unit_name: str | None
    unit_name_en: str | None


@dataclass(frozen=True)
class RequestRow:
    request: ServiceRequest
    service_code: str
    service_name: str
    service_name_en: str | None
    unit_name: str | None
    unit_name_en: str | None
    note: str | None  # the latest public note while the request is open


def _services_stmt():
    return (select(Service, Unit.name, Unit.name_en)
            .outerjoin(Unit, Unit.id == Service.unit_id)
            .where(Service.kind == ServiceKind.DISPATCH, Service.is_active.is_(True)))


def services_open311() -> list[ServiceRow]:
    """Active services that take reported problems (appointments are booked elsewhere)."""
    rows = db.session.execute(_services_stmt().order_by(Service.id)).all()
    return [ServiceRow(s, name, name_en) for s, name, name_en in rows]


def service_open311(code: str) -> Service | None:
    return db.session.scalar(select(Service).where(
        Service.code == code, Service.kind == ServiceKind.DISPATCH, Service.is_active.is_(True)))


@dataclass(frozen=True)
class RequestQuery:
    references: tuple[str, ...] = ()  # when given, the other filters are ignored
    service_codes: tuple[str, ...] = ()
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: tuple[RequestStatus, ...] = ()


def requests_open311(query: RequestQuery, *, limit: int = MAX_REQUESTS) -> list[RequestRow]:
    """Requests posted through Open311, newest first, at most ``limit``: two statements.

    Only requests that came in through Open311 are published: a resident who rang the hotline
    never agreed to have their words and address on a public API."""
    stmt = (select(ServiceRequest, Service.code, Service.name, Service.name_en, Unit.name,
                   Unit.name_en)
            .join(Service, Service.id == ServiceRequest.service_id)
            .outerjoin(Unit, Unit.id == ServiceRequest.unit_id)
            .where(ServiceRequest.channel == Channel.OPEN311))
    if query.references:
        stmt = stmt.where(ServiceRequest.reference.in_(query.references))
    else:
        if query.service_codes:
            stmt = stmt.where(Service.code.in_(query.service_codes))
        if query.start is not None:
            stmt = stmt.where(ServiceRequest.created_at >= query.start)
        if query.end is not None:
            stmt = stmt.where(ServiceRequest.created_at <= query.end)
        if query.statuses:
            stmt = stmt.where(ServiceRequest.status.in_(query.statuses))
    rows = db.session.execute(
        stmt.order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc()).limit(limit)
    ).all()
    notes = _latest_notes([r.id for r, *_ in rows if r.status in OPEN])
    return [RequestRow(r, code, name, name_en, unit, unit_en, notes.get(r.id))
            for r, code, name, name_en, unit, unit_en in rows]


def _latest_notes(request_ids: list[int]) -> dict[int, str]:
    """The newest public note of each request: one statement (none for an empty list)."""
    if not request_ids:
        return {}
    latest = (select(func.max(RequestEvent.id))
              .where(RequestEvent.request_id.in_(request_ids),
                     RequestEvent.action.in_(PUBLIC_NOTE_ACTIONS),
                     RequestEvent.note.is_not(None))
              .group_by(RequestEvent.request_id))
    rows = db.session.execute(select(RequestEvent.request_id, RequestEvent.note)
                              .where(RequestEvent.id.in_(latest))).all()
    return {request_id: note for request_id, note in rows}


def reference_for_token(token: str) -> str | None:
    """The reference of the Open311 request that was given ``token``."""
    return db.session.scalar(select(ServiceRequest.reference).where(
        ServiceRequest.open311_token == token, ServiceRequest.channel == Channel.OPEN311))
