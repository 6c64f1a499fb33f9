"""Reads for the hotline console: a caller's requests, today's call notes, what can be booked."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..base.paging import Page, paginate
from ..catalog.models import Service, ServiceKind
from ..extensions import db
from ..requests.models import CallLog, CallRequest, ServiceRequest

TODAY_CALLS_LIMIT = 200


def caller_requests(*, phone: str, page: int, per_page: int) -> Page:
    """Every request of one caller (all services), newest first: two statements."""
    where = ServiceRequest.resident_phone == phone
    return paginate(
        select(ServiceRequest).where(where)
        .options(joinedload(ServiceRequest.service), joinedload(ServiceRequest.unit))
        .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc()),
        count=select(func.count(ServiceRequest.id)).where(where), page=page, per_page=per_page)


@dataclass
class CallRow:
    call: CallLog
    noted: str | None  # the reference typed in the note
    made: list[str] = field(default_factory=list)  # booked or reported during the call

    @property
    def references(self) -> list[str]:
        return self.made + [self.noted] if self.noted and self.noted not in self.made \
            else self.made


def calls_since(*, operator_id: int, since: dt.datetime) -> list[CallRow]:
    """This operator's calls since ``since`` (newest first), each with the references of the
    requests made during it and the one its note names: two statements."""
    rows = [CallRow(call, ref) for call, ref in db.session.execute(
        select(CallLog, ServiceRequest.reference)
        .outerjoin(ServiceRequest, ServiceRequest.id == CallLog.request_id)
        .where(CallLog.operator_id == operator_id, CallLog.at >= since)
        .order_by(CallLog.at.desc(), CallLog.id.desc()).limit(TODAY_CALLS_LIMIT))]
    by_id = {row.call.id: row for row in rows}
    # always run (even for no calls): the console's statements do not depend on the data
    for call_id, ref in db.session.execute(
            select(CallRequest.call_id, ServiceRequest.reference)
            .join(ServiceRequest, ServiceRequest.id == CallRequest.request_id)
            .where(CallRequest.call_id.in_(list(by_id)))
            .order_by(CallRequest.at, ServiceRequest.id)):
        by_id[call_id].made.append(ref)
    return rows


def call_references(call_id: int) -> list[str]:
    """The references of the requests made during one call, in order."""
    return list(db.session.scalars(
        select(ServiceRequest.reference)
        .join(CallRequest, CallRequest.request_id == ServiceRequest.id)
        .where(CallRequest.call_id == call_id).order_by(CallRequest.at, ServiceRequest.id)))


def services_of(kind: ServiceKind) -> list[Service]:
    return list(db.session.scalars(select(Service).where(Service.kind == kind,
                                                         Service.is_active.is_(True))
                                   .order_by(Service.id)))


def active_service(code: str | None, kind: ServiceKind) -> Service | None:
    if not code:
        return None
    return db.session.scalar(select(Service).where(Service.code == code, Service.kind == kind,
                                                   Service.is_active.is_(True)))
