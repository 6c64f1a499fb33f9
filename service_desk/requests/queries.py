"""Reads of requests for the staff pages, the hotline and the API: each a bounded number of
statements."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased, joinedload

from ..accounts.models import User
from ..base.display import normalise_reference
from ..base.paging import Page, paginate
from ..extensions import db
from ..units.models import Unit
from .lifecycle import LIFECYCLE_STATUSES, OPEN_STATUSES
from .models import RequestEvent, RequestStatus, ServiceRequest

# what a unit's staff work on (called-back requests are finished)
STAFF_STATUSES = (RequestStatus.DISPATCHED, RequestStatus.ACCEPTED, RequestStatus.RETURNED,
                  RequestStatus.RESOLVED)


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
    count = select(func.count()).select_from(stmt.subquery())
    order = (case((ServiceRequest.status.in_(OPEN_STATUSES), 0), else_=1),
             case((ServiceRequest.due_at.is_(None), 1), else_=0),
             ServiceRequest.due_at, ServiceRequest.id)
    return paginate(
        stmt.options(joinedload(ServiceRequest.service), joinedload(ServiceRequest.unit))
        .order_by(*order), count=count, page=page, per_page=per_page)


def request_detail(reference: str) -> ServiceRequest | None:
    """By reference as typed too (``/requests/yucp-9afp``): any spacing, hyphens or case."""
    return db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.reference == normalise_reference(reference))
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
