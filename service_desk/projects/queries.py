"""Reads of the key-projects ledger: who sees which project, the list with its filters, one
project, the overdue milestones, and the live totals beside the ones the article reports."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import (
    Integer,
    Numeric,
    Select,
    String,
    cast,
    false,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..campaign.models import CampaignFigure
from ..extensions import db
from ..matters.models import SupervisionNotice
from ..permissions import Role, has_role
from ..units.models import Unit
from .dates import milestone_is_overdue
from .models import (
    CATEGORIES,
    ORIGINS,
    ExchangeRate,
    KeyProject,
    MilestoneKind,
    ProjectMilestone,
    ProjectStage,
    RecordKind,
    TaskTeamMember,
)

_LOADED = (selectinload(KeyProject.milestones), selectinload(KeyProject.team),
           selectinload(KeyProject.owner_unit), selectinload(KeyProject.leader_user))


def visible_projects(user) -> Select:
    """The projects ``user`` may see, in SQL (the same rule as permissions.can_view_project)."""
    stmt = select(KeyProject)
    if has_role(user, Role.ADMIN, Role.SUPERVISOR):
        return stmt
    if has_role(user, Role.LEADER):
        return stmt.where(KeyProject.leader_user_id == user.id)
    if has_role(user, Role.STAFF) and user.unit_id is not None:
        on_team = select(TaskTeamMember.project_id).where(TaskTeamMember.unit_id == user.unit_id)
        return stmt.where(or_(KeyProject.owner_unit_id == user.unit_id,
                              KeyProject.id.in_(on_team)))
    return stmt.where(false())


@dataclass
class ProjectFilters:
    stage: ProjectStage | None = None
    unit: Unit | None = None
    leader: User | None = None
    late_only: bool = False
    kind: RecordKind | None = RecordKind.PROJECT  # None: projects and named enterprises


def filters_from_args(args) -> ProjectFilters:
    """The list's query string; an unknown value is ignored (the list shows everything)."""
    filters = ProjectFilters(late_only=args.get("late") == "1")
    try:
        filters.stage = ProjectStage(args.get("stage", ""))
    except ValueError:
        pass
    if args.get("unit"):
        filters.unit = db.session.scalar(select(Unit).where(Unit.code == args["unit"]))
    leader = args.get("leader", "")
    if leader.isdigit() and len(leader) < 10:
        found = db.session.get(User, int(leader))
        filters.leader = found if found is not None and found.role is Role.LEADER else None
    if args.get("kind") == "all":
        filters.kind = None
    elif args.get("kind") == RecordKind.ENTERPRISE.value:
        filters.kind = RecordKind.ENTERPRISE
    return filters


@dataclass
class ProjectRow:
    project: KeyProject
    next_milestone: ProjectMilestone | None
    overdue: list[ProjectMilestone]


def next_milestone(project: KeyProject) -> ProjectMilestone | None:
    """The earliest planned milestone not done yet."""
    waiting = [m for m in project.milestones if m.actual_on is None and m.planned_on is not None]
    return min(waiting, key=lambda m: m.planned_on, default=None)


def project_rows(user, filters: ProjectFilters, *, today: dt.date) -> list[ProjectRow]:
    stmt = visible_projects(user).options(*_LOADED).order_by(KeyProject.id)
    if filters.kind is not None:
        stmt = stmt.where(KeyProject.record_kind == filters.kind)
    if filters.stage is not None:
        stmt = stmt.where(KeyProject.stage == filters.stage)
    if filters.unit is not None:
        on_team = select(TaskTeamMember.project_id).where(
            TaskTeamMember.unit_id == filters.unit.id)
        stmt = stmt.where(or_(KeyProject.owner_unit_id == filters.unit.id,
                              KeyProject.id.in_(on_team)))
    if filters.leader is not None:
        stmt = stmt.where(KeyProject.leader_user_id == filters.leader.id)
    rows = []
    for project in db.session.scalars(stmt):
        late = [m for m in project.milestones if milestone_is_overdue(m, today)]
        if filters.late_only and not late:
            continue
        rows.append(ProjectRow(project, next_milestone(project), late))
    return rows


def project_by_code(code: str) -> KeyProject | None:
    """One project with its milestones, team (units, people), owner unit and leader."""
    if len(code) > 64:
        return None
    return db.session.scalar(
        select(KeyProject).where(KeyProject.code == code).options(
            selectinload(KeyProject.milestones), selectinload(KeyProject.owner_unit),
            selectinload(KeyProject.leader_user),
            selectinload(KeyProject.team).selectinload(TaskTeamMember.unit),
            selectinload(KeyProject.team).selectinload(TaskTeamMember.user)))


def leaders() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == Role.LEADER, User.is_active)
                                   .order_by(User.id)))


def units_list() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.is_active).order_by(Unit.id)))


def overdue_milestones(today: dt.date, *, user=None) -> list[ProjectMilestone]:
    """Milestones whose planned period ended before ``today`` with no actual date, oldest
    first; ``m.project`` is loaded. With ``user``: only the projects they may see."""
    stmt = (select(ProjectMilestone).join(KeyProject)
            .where(ProjectMilestone.actual_on.is_(None), ProjectMilestone.planned_on.is_not(None),
                   ProjectMilestone.planned_on < today, KeyProject.is_synthetic.is_(False))
            .options(selectinload(ProjectMilestone.project).selectinload(KeyProject.owner_unit))
            .order_by(ProjectMilestone.planned_on, ProjectMilestone.id))
    if user is not None:
        stmt = stmt.where(KeyProject.id.in_(visible_projects(user).with_only_columns(
            KeyProject.id)))
    return [m for m in db.session.scalars(stmt) if milestone_is_overdue(m, today)]


# --- totals -----------------------------------------------------------------------------------

@dataclass
class Bucket:
    """A group of projects: how many, their investment in 元 where it converts, and what
    does not (no rate set: shown per currency, never guessed; or no amount entered)."""

    count: int = 0
    cny: Decimal = Decimal(0)
    unconverted: dict[str, Decimal] = field(default_factory=dict)
    no_amount: int = 0

    def add(self, project: KeyProject, rates: dict[str, Decimal]) -> None:
        self.count += 1
        amount, currency = project.total_investment, project.total_investment_currency
        if amount is None or currency is None:
            self.no_amount += 1
        elif currency == "CNY":
            self.cny += amount
        elif currency in rates:
            self.cny += amount * rates[currency]
        else:
            self.unconverted[currency] = self.unconverted.get(currency, Decimal(0)) + amount


@dataclass
class LiveTotals:
    total: Bucket
    by_origin: dict[str | None, Bucket]  # ORIGINS, and None (not entered)
    by_category: dict[str | None, Bucket]  # CATEGORIES, and None
    funds_this_year: dict[str, Decimal]  # currency → arrived (actual date in this year)
    year: int
    rates: dict[str, ExchangeRate]


def rates() -> dict[str, ExchangeRate]:
    return {r.currency: r for r in db.session.scalars(
        select(ExchangeRate).order_by(ExchangeRate.currency))}


def totals_live(today: dt.date) -> LiveTotals:
    """Computed from the ledger now: the projects (not the named enterprises, not synthetic)."""
    found = rates()
    factors = {code: r.rate_to_cny for code, r in found.items()}
    projects = db.session.scalars(select(KeyProject).where(
        KeyProject.record_kind == RecordKind.PROJECT, KeyProject.is_synthetic.is_(False)))
    total = Bucket()
    by_origin: dict[str | None, Bucket] = {key: Bucket() for key in (*ORIGINS, None)}
    by_category: dict[str | None, Bucket] = {key: Bucket() for key in (*CATEGORIES, None)}
    for project in projects:
        total.add(project, factors)
        by_origin.setdefault(project.origin, Bucket()).add(project, factors)
        by_category.setdefault(project.category, Bucket()).add(project, factors)
    start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    funds: dict[str, Decimal] = {}
    for amount, currency in db.session.execute(
            select(ProjectMilestone.amount, ProjectMilestone.currency).join(KeyProject)
            .where(ProjectMilestone.kind == MilestoneKind.FUNDS_ARRIVAL,
                   ProjectMilestone.actual_on.between(start, end),
                   ProjectMilestone.amount.is_not(None), KeyProject.is_synthetic.is_(False))):
        funds[currency] = funds.get(currency, Decimal(0)) + amount
    return LiveTotals(total, by_origin, by_category, funds, today.year, found)


# what the article reports, beside the live totals: (row, figure key of the count, of the sum)
REPORTED_KEYS = {
    "total": ("key_projects_in_negotiation", "key_projects_total_investment"),
    "domestic": ("domestic_projects", "domestic_projects_total_investment"),
    "foreign": ("foreign_projects", "foreign_projects_total_investment"),
    "manufacturing": ("manufacturing_projects", "manufacturing_projects_total_investment"),
    "cross_border_ecommerce": ("cross_border_ecommerce_projects",
                               "cross_border_ecommerce_projects_total_investment"),
    "modern_services": ("modern_services_projects", "modern_services_projects_total_investment"),
}
REPORTED_FUNDS_KEYS = ("fdi_utilised_q1", "fdi_utilised_jan_apr")


def reported_figures() -> dict[str, CampaignFigure]:
    """The article's project figures (seeds/figures.yaml), by key, with their sentences."""
    keys = {k for pair in REPORTED_KEYS.values() for k in pair} | set(REPORTED_FUNDS_KEYS)
    return {f.key: f for f in db.session.scalars(
        select(CampaignFigure).where(CampaignFigure.key.in_(keys)))}


class Figure(NamedTuple):
    """A reported figure as the public board shows it (no ORM object to expire)."""

    value: Decimal
    unit: str | None


@dataclass(frozen=True)
class PublicTotals:
    """The public board's line: a count and a sum, never a project's name or detail."""

    entered: Bucket
    reported: dict[str, Figure]  # key_projects_in_negotiation, key_projects_total_investment


def public_totals() -> PublicTotals:
    """The entered totals (by currency, converted where a rate is set) and the article's
    two headline figures, in ONE statement (the board counts its statements)."""
    entered = (
        select(literal_column("'entered'").label("row"),
               KeyProject.total_investment_currency.label("code"),
               func.count(KeyProject.id).label("n"),
               func.sum(KeyProject.total_investment).label("amount"),
               ExchangeRate.rate_to_cny.label("rate"), cast(null(), String).label("unit"))
        .outerjoin(ExchangeRate, ExchangeRate.currency == KeyProject.total_investment_currency)
        .where(KeyProject.record_kind == RecordKind.PROJECT, KeyProject.is_synthetic.is_(False))
        .group_by(KeyProject.total_investment_currency, ExchangeRate.rate_to_cny))
    reported = (
        select(literal_column("'reported'"), CampaignFigure.key, cast(null(), Integer),
               CampaignFigure.value, cast(null(), Numeric), CampaignFigure.unit)
        .where(CampaignFigure.key.in_(REPORTED_KEYS["total"])))
    bucket, figures = Bucket(), {}
    for row, code, n, amount, rate, unit in db.session.execute(union_all(entered, reported)):
        if row == "reported":
            figures[code] = Figure(amount, unit)
        else:
            bucket.count += n
            if code is None or amount is None:
                bucket.no_amount += n
            elif code == "CNY":
                bucket.cny += amount
            elif rate is not None:
                bucket.cny += amount * rate
            else:
                bucket.unconverted[code] = amount
    return PublicTotals(bucket, figures)


def project_notices(project_id: int) -> list[tuple[SupervisionNotice, Unit]]:
    """The supervision notices issued on a project, newest first, with the unit each is to."""
    return [(n, u) for n, u in db.session.execute(
        select(SupervisionNotice, Unit).join(Unit, Unit.id == SupervisionNotice.unit_id)
        .where(SupervisionNotice.project_id == project_id)
        .order_by(SupervisionNotice.issued_at.desc(), SupervisionNotice.id.desc()))]
