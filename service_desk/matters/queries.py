"""Reads for the ledger: one place per page or endpoint, a bounded number of statements."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..units.models import Unit
from .models import KeyIssue, Matter, MatterStatus, MatterUpdate, matter_co_units


@dataclass(frozen=True)
class MatterFilters:
    q: str | None = None
    unit: str | None = None  # unit code: lead or co-unit
    key_issue: int | None = None
    status: MatterStatus | None = None
    overdue: bool | None = None
    public_only: bool = False


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def status_from_arg(raw: str | None) -> MatterStatus | None:
    """A status filter from a query string; an unknown value means "any"."""
    try:
        return MatterStatus(raw) if raw else None
    except ValueError:
        return None


def is_overdue(matter: Matter, today: dt.date) -> bool:
    return (matter.deadline is not None and matter.deadline < today
            and matter.status is not MatterStatus.COMPLETED)


def is_due_soon(matter: Matter, today: dt.date, days: int) -> bool:
    return (matter.deadline is not None and matter.status is not MatterStatus.COMPLETED
            and today <= matter.deadline <= today + dt.timedelta(days=days))


def _overdue_clause(today: dt.date):
    return and_(Matter.deadline.is_not(None), Matter.deadline < today,
                Matter.status != MatterStatus.COMPLETED)


def _filtered(filters: MatterFilters, today: dt.date) -> Select:
    stmt = select(Matter)
    if filters.public_only:
        stmt = stmt.where(Matter.is_public.is_(True))
    if filters.q:
        like = f"%{filters.q.strip()}%"
        stmt = stmt.where(or_(Matter.title.ilike(like), Matter.number.ilike(like),
                              Matter.description.ilike(like), Matter.title_en.ilike(like)))
    if filters.unit:
        unit_id = select(Unit.id).where(Unit.code == filters.unit).scalar_subquery()
        co = select(matter_co_units.c.matter_id).where(matter_co_units.c.unit_id == unit_id)
        stmt = stmt.where(or_(Matter.lead_unit_id == unit_id, Matter.id.in_(co)))
    if filters.key_issue is not None:
        stmt = stmt.where(Matter.key_issue.has(KeyIssue.number == filters.key_issue))
    if filters.status is not None:
        stmt = stmt.where(Matter.status == filters.status)
    if filters.overdue is True:
        stmt = stmt.where(_overdue_clause(today))
    elif filters.overdue is False:
        stmt = stmt.where(~_overdue_clause(today))
    return stmt


def matters_page(filters: MatterFilters, *, today: dt.date, page: int, per_page: int) -> Page:
    """Overdue first, then by deadline (none last), then number. Three statements in all."""
    stmt = _filtered(filters, today)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    order = (
        case((_overdue_clause(today), 0), else_=1),
        case((Matter.deadline.is_(None), 1), else_=0),
        Matter.deadline,
        Matter.number,
    )
    rows = db.session.scalars(
        stmt.options(joinedload(Matter.lead_unit), joinedload(Matter.key_issue),
                     selectinload(Matter.co_units))
        .order_by(*order).limit(per_page).offset((page - 1) * per_page)
    ).unique().all()
    return Page(items=list(rows), total=total, page=page, per_page=per_page)


def matter_detail(number: str) -> Matter | None:
    return db.session.scalars(
        select(Matter).where(Matter.number == number)
        .options(joinedload(Matter.lead_unit), joinedload(Matter.key_issue),
                 selectinload(Matter.co_units))
    ).unique().one_or_none()


def matter_history(matter_id: int, *, public_only: bool = False) -> list[MatterUpdate]:
    stmt = select(MatterUpdate).where(MatterUpdate.matter_id == matter_id)
    if public_only:
        stmt = stmt.where(MatterUpdate.is_public.is_(True))
    return list(db.session.scalars(stmt.order_by(MatterUpdate.created_at.desc(),
                                                 MatterUpdate.id.desc())))


def ledger_counts() -> dict[str, int]:
    """Loaded items and key issues, for "N of 168 items loaded"."""
    row = db.session.execute(select(
        select(func.count(Matter.id)).where(Matter.is_synthetic.is_(False)).scalar_subquery(),
        select(func.count(Matter.id)).where(Matter.status == MatterStatus.COMPLETED,
                                            Matter.is_synthetic.is_(False)).scalar_subquery(),
        select(func.count(KeyIssue.id)).scalar_subquery(),
    )).one()
    return {"matters": row[0], "completed": row[1], "key_issues": row[2]}


def units_list() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.is_active.is_(True)).order_by(Unit.id)))


@dataclass
class DetailExtras:
    attachments: dict[int, list]  # by update id
    notices: list
    extensions: list


def detail_extras(matter_id: int) -> DetailExtras:
    """Attachments, notices and extension requests of one item: three statements."""
    from .models import Attachment, DeadlineExtension, SupervisionNotice

    by_update: dict[int, list] = {}
    for att in db.session.scalars(select(Attachment).where(Attachment.matter_id == matter_id)
                                  .order_by(Attachment.id)):
        by_update.setdefault(att.update_id, []).append(att)
    notices = list(db.session.scalars(
        select(SupervisionNotice).where(SupervisionNotice.matter_id == matter_id)
        .options(joinedload(SupervisionNotice.unit)).order_by(SupervisionNotice.id.desc())))
    extensions = list(db.session.scalars(
        select(DeadlineExtension).where(DeadlineExtension.matter_id == matter_id)
        .order_by(DeadlineExtension.id.desc())))
    return DetailExtras(attachments=by_update, notices=notices, extensions=extensions)
