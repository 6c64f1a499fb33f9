"""Reads for the hotline console: a caller's requests, today's call notes, what can be booked."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..base.paging import Page, paginate
from ..catalog.models import Service, ServiceKind
from ..extensions import db
from ..requests.models import CallLog, ServiceRequest

TODAY_CALLS_LIMIT = 200


def caller_requests(*, phone: str, page: int, per_page: int) -> Page:
    """Every request of one caller (all services), newest first: two statements."""
    where = ServiceRequest.resident_phone == phone
    return paginate(
        select(ServiceRequest).where(where)
        .options(joinedload(ServiceRequest.service), joinedload(ServiceRequest.unit))
        .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc()),
        count=select(func.count(ServiceRequest.id)).where(where), page=page, per_page=per_page)


def calls_since(*, operator_id: int, since: dt.datetime) -> list[tuple[CallLog, str | None]]:
    """This operator's call notes since ``since`` (newest first) with the linked reference."""
    return [(call, ref) for call, ref in db.session.execute(
        select(CallLog, ServiceRequest.reference)
        .outerjoin(ServiceRequest, ServiceRequest.id == CallLog.request_id)
        .where(CallLog.operator_id == operator_id, CallLog.at >= since)
        .order_by(CallLog.at.desc(), CallLog.id.desc()).limit(TODAY_CALLS_LIMIT))]


def services_of(kind: ServiceKind) -> list[Service]:
    return list(db.session.scalars(select(Service).where(Service.kind == kind,
                                                         Service.is_active.is_(True))
                                   .order_by(Service.id)))


def active_service(code: str | None, kind: ServiceKind) -> Service | None:
    if not code:
        return None
    return db.session.scalar(select(Service).where(Service.code == code, Service.kind == kind,
                                                   Service.is_active.is_(True)))
