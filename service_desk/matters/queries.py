"""Reads for the ledger: one place per page or endpoint, a bounded number of statements."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..base.inputs import id_arg
from ..base.paging import Page, paginate
from ..extensions import db
from ..units.models import Unit

# Page is also imported from here by packages not yet switched to base.paging
from .models import (
    Attachment,
    DeadlineExtension,
    KeyIssue,
    Matter,
    MatterStatus,
    MatterUpdate,
    RecordOrigin,
    SupervisionNotice,
    matter_co_units,
)


@dataclass(frozen=True)
class MatterFilters:
    q: str | None = None
    unit: str | None = None  # unit code: lead or co-unit
    key_issue: int | None = None
    status: MatterStatus | None = None
    overdue: bool | None = None
    public_only: bool = False
    # synthetic (demo, load-test) items: left out unless staff ask for them; never in public
    include_demo: bool = False


def status_from_arg(raw: str | None) -> MatterStatus | None:
    """A status filter from a query string; an unknown value means "any"."""
    try:
        return MatterStatus(raw) if raw else None
    except ValueError:
        return None


def filters_from_args(args, *, public_only: bool = False) -> MatterFilters:
    """The list's filters from a query string (the list page, the exports); unknown values are
    ignored rather than failing the page."""
    status = status_from_arg(args.get("status"))
    overdue = {"1": True, "true": True, "0": False, "false": False}.get(args.get("overdue", ""))
    key_issue = id_arg(args, "key_issue")
    return MatterFilters(q=args.get("q") or None, unit=args.get("unit") or None,
                         key_issue=key_issue, status=status, overdue=overdue,
                         public_only=public_only,
                         include_demo=not public_only and args.get("demo") in ("1", "true"))


# Overdue and due soon, derived and never stored: each Python predicate beside its SQL clause.
# An item is open until completed; one without a deadline is never overdue nor due soon.

def is_overdue(matter, today: dt.date) -> bool:
    """Open and past its deadline (``matter``: anything with ``deadline`` and ``status``)."""
    return (matter.deadline is not None and matter.deadline < today
            and matter.status is not MatterStatus.COMPLETED)


def overdue_clause(today: dt.date):
    return and_(Matter.deadline.is_not(None), Matter.deadline < today,
                Matter.status != MatterStatus.COMPLETED)


def is_due_soon(matter, today: dt.date, days: int) -> bool:
    """Open, with its deadline between today and ``days`` days from now."""
    return (matter.deadline is not None and matter.status is not MatterStatus.COMPLETED
            and today <= matter.deadline <= today + dt.timedelta(days=days))


def due_soon_clause(today: dt.date, days: int):
    return and_(Matter.deadline.is_not(None), Matter.status != MatterStatus.COMPLETED,
                Matter.deadline >= today, Matter.deadline <= today + dt.timedelta(days=days))


def is_overdue_or_due_soon(matter, today: dt.date, days: int) -> bool:
    return is_overdue(matter, today) or is_due_soon(matter, today, days)


def overdue_or_due_soon_clause(today: dt.date, days: int):
    """The two above in one condition: open, with a deadline no later than ``days`` from now."""
    return and_(Matter.deadline.is_not(None), Matter.status != MatterStatus.COMPLETED,
                Matter.deadline <= today + dt.timedelta(days=days))


def filtered_select(filters: MatterFilters, today: dt.date) -> Select:
    stmt = select(Matter)
    if filters.public_only:
        stmt = stmt.where(Matter.is_public.is_(True))
    if filters.public_only or not filters.include_demo:
        stmt = stmt.where(Matter.is_synthetic.is_(False))
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
        stmt = stmt.where(overdue_clause(today))
    elif filters.overdue is False:
        stmt = stmt.where(~overdue_clause(today))
    return stmt


def matters_page(filters: MatterFilters, *, today: dt.date, page: int, per_page: int) -> Page:
    """Overdue first, then by deadline (none last), then number. Three statements in all."""
    order = (
        case((overdue_clause(today), 0), else_=1),
        case((Matter.deadline.is_(None), 1), else_=0),
        Matter.deadline,
        Matter.number,
    )
    matching = filtered_select(filters, today)
    stmt = (matching
            .options(joinedload(Matter.lead_unit), joinedload(Matter.key_issue),
                     selectinload(Matter.co_units))
            .order_by(*order))
    count = select(func.count()).select_from(matching.subquery())
    return paginate(stmt, page=page, per_page=per_page, count=count, unique=True)


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
    """Loaded items and key issues, for "N of the list's 168 items loaded". ``listed``: items
    of the list itself; ``reported``: the article's initiatives (seeded), which the article
    never says are on the list."""
    real = Matter.is_synthetic.is_(False)
    row = db.session.execute(select(
        select(func.count(Matter.id)).where(real).scalar_subquery(),
        select(func.count(Matter.id)).where(Matter.status == MatterStatus.COMPLETED,
                                            real).scalar_subquery(),
        select(func.count(KeyIssue.id)).scalar_subquery(),
        select(func.count(Matter.id)).where(real, Matter.origin == RecordOrigin.SEED)
        .scalar_subquery(),
    )).one()
    return {"matters": row[0], "completed": row[1], "key_issues": row[2],
            "reported": row[3], "listed": row[0] - row[3]}


def units_list() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.is_active.is_(True)).order_by(Unit.id)))


@dataclass
class DetailExtras:
    attachments: dict[int, list]  # by update id
    notices: list
    extensions: list


def detail_extras(matter_id: int) -> DetailExtras:
    """Attachments, notices and extension requests of one item: three statements."""
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
