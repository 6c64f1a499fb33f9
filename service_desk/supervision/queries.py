"""Reads for supervisors: each page a bounded number of statements, whatever the data size."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from ..base.paging import Page, paginate
from ..extensions import db
from ..matters.models import (
    DeadlineExtension,
    ExtensionStatus,
    Matter,
    MatterStatus,
    MatterUpdate,
    SupervisionNotice,
)
from ..matters.queries import due_soon_clause, overdue_clause, overdue_or_due_soon_clause
from ..units.models import Unit


@dataclass
class BoardRow:
    matter: Matter
    last_update_at: dt.datetime | None
    open_notices: int
    days_overdue: int  # negative: days left


def _last_update():
    return (select(func.max(MatterUpdate.created_at))
            .where(MatterUpdate.matter_id == Matter.id).correlate(Matter).scalar_subquery())


def _open_notices():
    return (select(func.count(SupervisionNotice.id))
            .where(SupervisionNotice.matter_id == Matter.id, SupervisionNotice.replied_at.is_(None))
            .correlate(Matter).scalar_subquery())


def overdue_board(*, today: dt.date, days: int, page: int, per_page: int) -> Page:
    """Overdue and due-soon items, grouped by lead unit (ordered so a template can group)."""
    where = overdue_or_due_soon_clause(today, days)
    stmt = (select(Matter, _last_update(), _open_notices())
            .outerjoin(Unit, Unit.id == Matter.lead_unit_id).where(where)
            .options(joinedload(Matter.lead_unit))
            .order_by(Unit.name.is_(None), Unit.name, Matter.deadline, Matter.number))
    return paginate(stmt, page=page, per_page=per_page, rows=True,
                    count=select(func.count(Matter.id)).where(where),
                    wrap=lambda r: BoardRow(r[0], r[1], r[2] or 0, (today - r[0].deadline).days))


@dataclass
class UnitScore:
    unit: Unit
    items: int
    completed: int
    on_time: int
    overdue: int
    due_soon: int
    extensions: int
    extensions_pending: int


SCORE_SORTS = ("overdue", "items", "completed", "on_time", "extensions")


def unit_scorecard(*, today: dt.date, due_soon_days: int, sort: str = "overdue") -> list[UnitScore]:
    """Per lead unit; sorted worst first (most overdue, then fewest completed on time)."""
    promised = func.coalesce(Matter.original_deadline, Matter.deadline)
    counts = (select(
        Matter.lead_unit_id,
        func.count(Matter.id),
        func.sum(case((Matter.status == MatterStatus.COMPLETED, 1), else_=0)),
        func.sum(case((and_(Matter.status == MatterStatus.COMPLETED,
                            or_(promised.is_(None), Matter.completed_on <= promised)), 1), else_=0)),
        func.sum(case((overdue_clause(today), 1), else_=0)),
        func.sum(case((due_soon_clause(today, due_soon_days), 1), else_=0)),
    ).where(Matter.lead_unit_id.is_not(None)).group_by(Matter.lead_unit_id))
    ext = (select(DeadlineExtension.unit_id, func.count(DeadlineExtension.id),
                  func.sum(case((DeadlineExtension.status == ExtensionStatus.PENDING, 1), else_=0)))
           .group_by(DeadlineExtension.unit_id))
    ext_by_unit = {uid: (n, p or 0) for uid, n, p in db.session.execute(ext)}
    rows = list(db.session.execute(counts))
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_([r[0] for r in rows])))}
    scores = [UnitScore(units[uid], n, c or 0, ot or 0, od or 0, ds or 0, *ext_by_unit.get(uid, (0, 0)))
              for uid, n, c, ot, od, ds in rows]
    key = {
        "overdue": lambda s: (-s.overdue, s.on_time - s.items, s.unit.name),
        "items": lambda s: (-s.items, s.unit.name),
        "completed": lambda s: (s.completed - s.items, s.unit.name),
        "on_time": lambda s: (s.on_time / s.items if s.items else 1, s.unit.name),
        "extensions": lambda s: (-s.extensions, s.unit.name),
    }[sort if sort in SCORE_SORTS else "overdue"]
    return sorted(scores, key=key)


NOTICE_STATES = ("open", "replied", "late")


def notices_page(*, today: dt.date, state: str | None, unit_id: int | None, page: int,
                 per_page: int) -> Page:
    stmt = select(SupervisionNotice)
    if unit_id is not None:
        stmt = stmt.where(SupervisionNotice.unit_id == unit_id)
    if state == "replied":
        stmt = stmt.where(SupervisionNotice.replied_at.is_not(None))
    elif state == "late":
        stmt = stmt.where(SupervisionNotice.replied_at.is_(None), SupervisionNotice.reply_due < today)
    elif state == "open":
        stmt = stmt.where(SupervisionNotice.replied_at.is_(None), SupervisionNotice.reply_due >= today)
    count = select(func.count()).select_from(stmt.subquery())
    stmt = (stmt.options(joinedload(SupervisionNotice.matter), joinedload(SupervisionNotice.unit))
            .order_by(SupervisionNotice.replied_at.is_not(None), SupervisionNotice.reply_due,
                      SupervisionNotice.id))
    return paginate(stmt, page=page, per_page=per_page, count=count)


def notice_detail(notice_id: int) -> SupervisionNotice | None:
    return db.session.scalars(select(SupervisionNotice).where(SupervisionNotice.id == notice_id)
                              .options(joinedload(SupervisionNotice.matter),
                                       joinedload(SupervisionNotice.unit))).one_or_none()


def extensions_page(*, page: int, per_page: int) -> Page:
    stmt = (select(DeadlineExtension)
            .options(joinedload(DeadlineExtension.matter), joinedload(DeadlineExtension.unit))
            .order_by(DeadlineExtension.status != ExtensionStatus.PENDING,
                      DeadlineExtension.created_at.desc(), DeadlineExtension.id.desc()))
    return paginate(stmt, page=page, per_page=per_page,
                    count=select(func.count(DeadlineExtension.id)))
