"""Reads for supervisors: each page a bounded number of statements, whatever the data size."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import and_, case, func, or_, select, true, union
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import User
from ..base.inputs import storable_int
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
from ..projects.fieldwork import (
    DifficultyStatus,
    ProjectDifficulty,
    SiteSelection,
    SiteSelectionAnswer,
)
from ..projects.fieldwork_queries import LateAnswer, overdue_fieldwork
from ..projects.models import KeyProject, TaskTeamMember
from ..projects.queries import overdue_milestones
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


@dataclass
class UnitSummary:
    """One lead unit's line at the head of the board."""

    unit: Unit | None  # None: items with no lead unit
    overdue: int
    due_soon: int
    most_days_overdue: int  # 0 when nothing is overdue


NO_UNIT = -1  # the key that groups items without a lead unit


def _board_clause(today: dt.date, days: int, include_demo: bool):
    """The board's items: overdue or due soon; synthetic (demo, test) ones only when asked."""
    where = overdue_or_due_soon_clause(today, days)
    return where if include_demo else and_(where, Matter.is_synthetic.is_(False))


def _unit_ranks(today: dt.date, days: int, include_demo: bool):
    """Per lead unit, over the board's items: how many are overdue, the oldest deadline, how
    many in all."""
    unit_key = func.coalesce(Matter.lead_unit_id, NO_UNIT)
    return (select(unit_key.label("unit_key"),
                   func.sum(case((Matter.deadline < today, 1), else_=0)).label("overdue"),
                   func.min(Matter.deadline).label("oldest"),
                   func.count(Matter.id).label("item_count"))
            .where(_board_clause(today, days, include_demo))
            .group_by(unit_key).subquery())


def _worst_first(ranks):
    """Worst unit first: most items overdue, then the longest overdue (oldest deadline), then
    most items needing attention, then by name (items without a lead unit last on a tie)."""
    return (ranks.c.overdue.desc(), ranks.c.oldest, ranks.c.item_count.desc(),
            Unit.name.is_(None), Unit.name)


def overdue_board(*, today: dt.date, days: int, page: int, per_page: int,
                  include_demo: bool = False) -> Page:
    """Overdue and due-soon items by lead unit, worst unit first (``_worst_first``), and in
    each unit the longest overdue first: rows of one unit are together, so a page can group."""
    where = _board_clause(today, days, include_demo)
    ranks = _unit_ranks(today, days, include_demo)
    stmt = (select(Matter, _last_update(), _open_notices())
            .outerjoin(Unit, Unit.id == Matter.lead_unit_id)
            .join(ranks, ranks.c.unit_key == func.coalesce(Matter.lead_unit_id, NO_UNIT))
            .where(where)
            .options(joinedload(Matter.lead_unit))
            .order_by(*_worst_first(ranks), Matter.deadline, Matter.number))
    return paginate(stmt, page=page, per_page=per_page, rows=True,
                    count=select(func.count(Matter.id)).where(where),
                    wrap=lambda r: BoardRow(r[0], r[1], r[2] or 0, (today - r[0].deadline).days))


def board_summary(*, today: dt.date, days: int,
                  include_demo: bool = False) -> list[UnitSummary]:
    """Each lead unit's overdue and due-soon counts, in the board's order (worst first)."""
    ranks = _unit_ranks(today, days, include_demo)
    rows = db.session.execute(
        select(Unit, ranks.c.overdue, ranks.c.item_count, ranks.c.oldest)
        .select_from(ranks).outerjoin(Unit, Unit.id == ranks.c.unit_key)
        .order_by(*_worst_first(ranks)))
    return [UnitSummary(unit, overdue or 0, items - (overdue or 0),
                        max((today - oldest).days, 0) if overdue else 0)
            for unit, overdue, items, oldest in rows]


def board_groups(rows: list[BoardRow]) -> list[tuple[Unit | None, list[BoardRow]]]:
    """A page's rows by lead unit, in the order given (Jinja's groupby would sort by name)."""
    return [(unit, list(group)) for unit, group in groupby(rows, key=lambda r: r.matter.lead_unit)]


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


def unit_scorecard(*, today: dt.date, due_soon_days: int, sort: str = "overdue",
                   include_demo: bool = False) -> list[UnitScore]:
    """Per lead unit; sorted worst first (most overdue, then fewest completed on time).
    Synthetic (demo, test) items count only when asked."""
    promised = func.coalesce(Matter.original_deadline, Matter.deadline)
    counts = (select(
        Matter.lead_unit_id,
        func.count(Matter.id),
        func.sum(case((Matter.status == MatterStatus.COMPLETED, 1), else_=0)),
        func.sum(case((and_(Matter.status == MatterStatus.COMPLETED,
                            or_(promised.is_(None), Matter.completed_on <= promised)), 1), else_=0)),
        func.sum(case((overdue_clause(today), 1), else_=0)),
        func.sum(case((due_soon_clause(today, due_soon_days), 1), else_=0)),
    ).where(Matter.lead_unit_id.is_not(None),
            true() if include_demo else Matter.is_synthetic.is_(False))
       .group_by(Matter.lead_unit_id))
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
                      SupervisionNotice.year, SupervisionNotice.serial))
    return paginate(stmt, page=page, per_page=per_page, count=count)


def notice_detail(notice_id: int) -> SupervisionNotice | None:
    if not storable_int(notice_id):  # no notice has such an id: never sent to SQL
        return None
    return db.session.scalars(select(SupervisionNotice).where(SupervisionNotice.id == notice_id)
                              .options(joinedload(SupervisionNotice.matter),
                                       joinedload(SupervisionNotice.unit))).one_or_none()


def notice_projects(notices) -> dict[int, KeyProject]:
    """The key projects some notices target, by id, in one statement (a notice holds only the
    project's id: projects sit above matters)."""
    ids = {n.project_id for n in notices if n.project_id is not None}
    if not ids:
        return {}
    # the team too: whether a reader may open the project's page depends on it
    return {p.id: p for p in db.session.scalars(select(KeyProject).where(KeyProject.id.in_(ids))
                                                .options(selectinload(KeyProject.team)))}


def project_notice_units(project: KeyProject) -> list[Unit]:
    """The units a notice on a project may go to: its owner unit, the task team's units, and
    the units its open difficulties and unanswered site-selection requests wait on. The owner
    unit first, then by name."""
    involved = union(
        select(KeyProject.owner_unit_id.label("unit_id")).where(KeyProject.id == project.id),
        select(TaskTeamMember.unit_id).where(TaskTeamMember.project_id == project.id),
        select(ProjectDifficulty.unit_id).where(ProjectDifficulty.project_id == project.id,
                                                ProjectDifficulty.status == DifficultyStatus.OPEN),
        select(SiteSelectionAnswer.unit_id).join(SiteSelection)
        .where(SiteSelection.project_id == project.id, SiteSelectionAnswer.answer.is_(None)),
    ).subquery()
    return list(db.session.scalars(
        select(Unit).join(involved, involved.c.unit_id == Unit.id)
        .order_by(Unit.id != (project.owner_unit_id or 0), Unit.name)))


def notice_issuer(notice: SupervisionNotice) -> User | None:
    """Who issued it (the document names their role and unit); None once the account is gone."""
    if notice.issued_by_id is None:
        return None
    return db.session.get(User, notice.issued_by_id)


def extensions_page(*, page: int, per_page: int) -> Page:
    stmt = (select(DeadlineExtension)
            .options(joinedload(DeadlineExtension.matter), joinedload(DeadlineExtension.unit))
            .order_by(DeadlineExtension.status != ExtensionStatus.PENDING,
                      DeadlineExtension.created_at.desc(), DeadlineExtension.id.desc()))
    return paginate(stmt, page=page, per_page=per_page,
                    count=select(func.count(DeadlineExtension.id)))


@dataclass
class ProjectsOverdue:
    """Key projects on the overdue board: milestones past their planned period with no actual
    date, difficulties open past their deadline, site-selection answers still pending after it."""

    milestones: list
    difficulties: list
    answers: list[LateAnswer]

    @property
    def total(self) -> int:
        return len(self.milestones) + len(self.difficulties) + len(self.answers)


def projects_overdue(*, today: dt.date) -> ProjectsOverdue:
    late = overdue_fieldwork(today)
    return ProjectsOverdue(overdue_milestones(today), late.difficulties, late.answers)
