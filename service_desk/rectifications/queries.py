"""Reads for rectifications of bad ratings: each page a bounded number of statements."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from ..accounts.models import User
from ..base.deadlines import days_overdue, due_soon_clause, is_late, late_clause
from ..base.deadlines import is_due_soon as deadline_due_soon
from ..base.paging import Page, paginate
from ..catalog.models import Service
from ..extensions import db
from ..ratings.models import CLOSED_STATUSES, Rating, Rectification, RectificationStatus
from ..requests.models import RequestEvent, ServiceRequest
from ..units.models import Unit

# not closed: the unit still has to act, or a supervisor has to decide an appeal
ACTIVE_STATUSES = (RectificationStatus.OPEN, RectificationStatus.APPEALED)
STATES = ("open", "appealed", "overdue", "due_soon", "closed")


def is_overdue(rect: Rectification, now: dt.datetime) -> bool:
    return rect.status in ACTIVE_STATUSES and is_late(rect.due_at, now)


def is_due_soon(rect: Rectification, now: dt.datetime) -> bool:
    return rect.status in ACTIVE_STATUSES and deadline_due_soon(rect.due_at, now)


@dataclass(frozen=True)
class RectFilters:
    state: str | None = None  # one of STATES
    unit: str | None = None  # unit code (supervisors' filter)


@dataclass(frozen=True)
class RectRow:
    rect: Rectification
    rating: Rating
    reference: str
    resident_name: str
    resident_phone: str
    service: str
    unit: str | None


def _state_where(state: str | None, now: dt.datetime):
    active = Rectification.status.in_(ACTIVE_STATUSES)
    return {
        "open": Rectification.status == RectificationStatus.OPEN,
        "appealed": Rectification.status == RectificationStatus.APPEALED,
        "overdue": and_(active, late_clause(Rectification.due_at, now)),
        "due_soon": and_(active, due_soon_clause(Rectification.due_at, now)),
        "closed": Rectification.status.in_(CLOSED_STATUSES),
    }.get(state or "")


def _rows_select():
    return (select(Rectification, Rating, ServiceRequest.reference, ServiceRequest.resident_name,
                   ServiceRequest.resident_phone, Service.name, Unit.name)
            .join(Rating, Rating.id == Rectification.rating_id)
            .join(ServiceRequest, ServiceRequest.id == Rating.request_id)
            .join(Service, Service.id == ServiceRequest.service_id)
            .outerjoin(Unit, Unit.id == Rectification.unit_id))


def rectifications_page(*, filters: RectFilters, page: int, per_page: int, now: dt.datetime,
                        only_unit_id: int | None = None) -> Page:
    """Open ones first, earliest deadline first, then the closed, latest first: two
    statements whatever the size. ``only_unit_id``: staff see their own unit's only."""
    where = []
    if only_unit_id is not None:
        where.append(Rectification.unit_id == only_unit_id)
    if filters.unit:
        where.append(Rectification.unit_id == select(Unit.id).where(
            Unit.code == filters.unit).scalar_subquery())
    state = _state_where(filters.state, now)
    if state is not None:
        where.append(state)
    closed = Rectification.status.in_(CLOSED_STATUSES)
    order = (case((closed, 1), else_=0),
             case((closed, None), else_=Rectification.due_at),
             Rectification.closed_at.desc(), Rectification.id.desc())
    return paginate(_rows_select().where(*where).order_by(*order),
                    count=select(func.count(Rectification.id)).where(*where),
                    page=page, per_page=per_page, rows=True, wrap=lambda row: RectRow(*row))


@dataclass(frozen=True)
class RectDetail:
    rect: Rectification
    rating: Rating
    request: ServiceRequest
    service: Service
    unit: Unit | None
    names: dict[int, str]  # user id -> name, for who served, called back, closed, decided

    def name(self, user_id: int | None) -> str | None:
        return self.names.get(user_id) if user_id is not None else None


def rectification_detail(rect_id: int) -> RectDetail | None:
    """The rectification with its rating, request, service and unit, and the people named on
    it: two statements."""
    row = db.session.execute(
        select(Rectification, Rating, ServiceRequest, Service, Unit)
        .join(Rating, Rating.id == Rectification.rating_id)
        .join(ServiceRequest, ServiceRequest.id == Rating.request_id)
        .join(Service, Service.id == ServiceRequest.service_id)
        .outerjoin(Unit, Unit.id == Rectification.unit_id)
        .where(Rectification.id == rect_id)).one_or_none()
    if row is None:
        return None
    rect, rating, item, service, unit = row
    ids = {i for i in (rating.staff_id, rect.called_back_by_id, rect.closed_by_id,
                       rect.decided_by_id) if i is not None}
    names = {uid: name for uid, name in db.session.execute(
        select(User.id, func.coalesce(User.display_name, User.username))
        .where(User.id.in_(ids)))} if ids else {}
    return RectDetail(rect, rating, item, service, unit, names)


@dataclass(frozen=True)
class TimelineEntry:
    event: RequestEvent
    actor: str | None


def rectification_timeline(request_id: int) -> list[TimelineEntry]:
    """The rating and what was done about it, oldest first, from the request's history: one
    statement."""
    actor = aliased(User)
    rows = db.session.execute(
        select(RequestEvent, func.coalesce(actor.display_name, actor.username))
        .outerjoin(actor, actor.id == RequestEvent.actor_id)
        .where(RequestEvent.request_id == request_id,
               or_(RequestEvent.action == "rated",
                   RequestEvent.action.like("rectification\\_%", escape="\\")))
        .order_by(RequestEvent.at, RequestEvent.id))
    return [TimelineEntry(event, who) for event, who in rows]


def rectification_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.is_active.is_(True))
                                   .order_by(Unit.name)))


def open_count(unit_id: int) -> int:
    """Rectifications a unit still has to work on (the navigation's badge)."""
    return db.session.scalar(select(func.count(Rectification.id)).where(
        Rectification.unit_id == unit_id,
        Rectification.status == RectificationStatus.OPEN)) or 0


# --- the supervisors' overdue board -------------------------------------------------------

BOARD_LIMIT = 100


@dataclass(frozen=True)
class BoardRect:
    id: int
    status: RectificationStatus
    reference: str
    service: str
    unit: str | None
    level: int
    due_at: dt.datetime
    called_back: bool
    days_overdue: int  # whole local days past the deadline; negative: days left


@dataclass(frozen=True)
class BoardRects:
    rows: list[BoardRect]
    total: int
    limit: int


def rectifications_due(*, now: dt.datetime, days: int, limit: int = BOARD_LIMIT) -> BoardRects:
    """Not closed, and late or due within ``days`` days, by unit then deadline (so a template
    can group); the first ``limit`` and how many in all: two statements."""
    where = (Rectification.status.in_(ACTIVE_STATUSES),
             Rectification.due_at <= now + dt.timedelta(days=days))
    total = db.session.scalar(select(func.count(Rectification.id)).where(*where)) or 0
    rows = db.session.execute(
        select(Rectification.id, Rectification.status, ServiceRequest.reference, Service.name,
               Unit.name, Rating.level, Rectification.due_at, Rectification.called_back_at)
        .join(Rating, Rating.id == Rectification.rating_id)
        .join(ServiceRequest, ServiceRequest.id == Rating.request_id)
        .join(Service, Service.id == ServiceRequest.service_id)
        .outerjoin(Unit, Unit.id == Rectification.unit_id)
        .where(*where)
        .order_by(Unit.name.is_(None), Unit.name, Rectification.due_at, Rectification.id)
        .limit(limit))
    return BoardRects(
        rows=[BoardRect(rid, status, ref, service, unit, level, due, called is not None,
                        days_overdue(due, now))
              for rid, status, ref, service, unit, level, due, called in rows],
        total=total, limit=limit)
