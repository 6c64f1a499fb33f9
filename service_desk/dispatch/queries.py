"""Reads for dispatched requests: each page a bounded number of statements."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased, joinedload

from ..accounts.models import User
from ..bookings.dispatch import LIFECYCLE_STATUSES, OPEN_STATUSES
from ..bookings.models import RequestEvent, RequestStatus, ServiceRequest
from ..extensions import db
from ..matters.queries import Page
from ..units.models import Unit

# a request due within this time, and not yet late, is "due soon"
DUE_SOON = dt.timedelta(hours=24)
# what a unit's staff work on (called-back requests are finished)
STAFF_STATUSES = (RequestStatus.DISPATCHED, RequestStatus.ACCEPTED, RequestStatus.RETURNED,
                  RequestStatus.RESOLVED)


def is_overdue(item: ServiceRequest, now: dt.datetime) -> bool:
    return item.status in OPEN_STATUSES and item.due_at is not None and item.due_at < now


def is_due_soon(item: ServiceRequest, now: dt.datetime) -> bool:
    return (item.status in OPEN_STATUSES and item.due_at is not None
            and now <= item.due_at <= now + DUE_SOON)


@dataclass(frozen=True)
class RequestFilters:
    unit: str | None = None  # unit code (supervisors' filter)
    status: RequestStatus | None = None


def requests_page(*, filters: RequestFilters, page: int, per_page: int,
                  only_unit_id: int | None = None,
                  statuses: tuple[RequestStatus, ...] = LIFECYCLE_STATUSES) -> Page:
    """Open requests first, earliest deadline first; two statements whatever the size.

    ``only_unit_id`` restricts the list to one unit (staff see their own unit's only).
    """
    stmt = select(ServiceRequest).where(ServiceRequest.status.in_(statuses))
    if only_unit_id is not None:
        stmt = stmt.where(ServiceRequest.unit_id == only_unit_id)
    if filters.unit:
        stmt = stmt.where(ServiceRequest.unit_id == select(Unit.id).where(
            Unit.code == filters.unit).scalar_subquery())
    if filters.status is not None:
        stmt = stmt.where(ServiceRequest.status == filters.status)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    order = (case((ServiceRequest.status.in_(OPEN_STATUSES), 0), else_=1),
             case((ServiceRequest.due_at.is_(None), 1), else_=0),
             ServiceRequest.due_at, ServiceRequest.id)
    rows = db.session.scalars(
        stmt.options(joinedload(ServiceRequest.service), joinedload(ServiceRequest.unit))
        .order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=list(rows), total=total, page=page, per_page=per_page)


def request_detail(reference: str) -> ServiceRequest | None:
    return db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.reference == reference)
        .options(joinedload(ServiceRequest.service), joinedload(ServiceRequest.unit))
    ).one_or_none()


@dataclass(frozen=True)
class HistoryEntry:
    event: RequestEvent
    actor: str | None
    unit: str | None


def request_history(request_id: int) -> list[HistoryEntry]:
    """Oldest first, with who acted and the unit the request was with: one statement."""
    actor = aliased(User)
    rows = db.session.execute(
        select(RequestEvent, func.coalesce(actor.display_name, actor.username), Unit.name)
        .outerjoin(actor, actor.id == RequestEvent.actor_id)
        .outerjoin(Unit, Unit.id == RequestEvent.unit_id)
        .where(RequestEvent.request_id == request_id)
        .order_by(RequestEvent.at, RequestEvent.id))
    return [HistoryEntry(event, who, unit) for event, who, unit in rows]


def active_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.is_active.is_(True))
                                   .order_by(Unit.name)))
