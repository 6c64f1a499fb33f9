"""Reads for the public progress board: public items only, no personal data, bounded statements.

Every function selects named columns into plain dataclasses (never ORM rows), so a template
cannot reach a responsible person, an author or a private note by accident. The whole board
page costs eight statements whatever the number of items: aggregates are GROUP BY in SQL.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, extract, func, select

from ..base.paging import Page, paginate
from ..campaign.models import CampaignFigure
from ..extensions import db
from ..matters.models import (
    KeyIssue,
    Matter,
    MatterStatus,
    MatterUpdate,
    RecordOrigin,
    matter_co_units,
)
from ..matters.queries import overdue_clause
from ..ratings.stats import Figures, Row, StatsFilter, monthly_figures
from ..units.models import Unit

NONE = "none"  # filter value: items with no lead unit / no key issue yet

# synthetic (demo, load-test) items are made up: never shown or counted in public
_PUBLIC = and_(Matter.is_public.is_(True), Matter.is_synthetic.is_(False))
_REPORTED = Matter.origin == RecordOrigin.SEED
_COMPLETED = Matter.status == MatterStatus.COMPLETED


def _count_where(condition) -> object:
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END), 0 when no rows (portable conditional count)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass(frozen=True)
class BoardFilters:
    unit: str | None = None  # lead unit code, or NONE
    key_issue: int | str | None = None  # key issue number, or NONE
    status: MatterStatus | None = None
    overdue: bool = False

    @property
    def active(self) -> bool:
        return bool(self.unit or self.key_issue is not None or self.status or self.overdue)


@dataclass(frozen=True)
class Summary:
    items: int
    completed: int
    progress_sum: int
    overdue: int
    reported: int  # initiatives the article reports, not confirmed as on the list
    key_issues_named: int
    campaign_total: int | None  # CampaignFigure "matters_total" (168), if loaded

    @property
    def percent_completed(self) -> int:
        return round(100 * self.completed / self.items) if self.items else 0

    @property
    def listed(self) -> int:
        """Items of the list itself (imported), not the article's reported initiatives."""
        return self.items - self.reported

    @property
    def not_loaded(self) -> int:
        return max(0, (self.campaign_total or 0) - self.listed)


@dataclass(frozen=True)
class GroupRow:
    """Items of one lead unit or one key issue; key None is the "not stated" group."""

    key: str | None
    name: str | None
    name_en: str | None
    items: int
    completed: int
    progress_sum: int
    overdue: int

    @property
    def average_progress(self) -> int:
        return round(self.progress_sum / self.items) if self.items else 0

    @property
    def percent_completed(self) -> int:
        return round(100 * self.completed / self.items) if self.items else 0


@dataclass(frozen=True)
class MonthRow:
    month: dt.date  # first day of the month
    completed: int
    cumulative: int


@dataclass(frozen=True)
class PublicNote:
    created_at: dt.datetime
    note: str
    status_after: MatterStatus | None = None
    progress_after: int | None = None
    from_article: bool = False  # the article's sentence: no date of its own


@dataclass(frozen=True)
class PublicItem:
    """What the public may see of an item: no responsible person, no audit data."""

    id: int
    number: str
    title: str
    title_en: str | None
    status: MatterStatus
    progress: int
    deadline: dt.date | None
    original_deadline: dt.date | None
    completed_on: dt.date | None
    is_public: bool
    is_synthetic: bool
    origin: RecordOrigin
    unit_code: str | None
    unit_name: str | None
    unit_name_en: str | None
    key_issue_number: int | None
    key_issue_title: str | None
    key_issue_title_en: str | None
    description: str | None = None
    source_quote: str | None = None
    source_quotes: list | None = None
    latest_note: PublicNote | None = None

    @property
    def reported_by_article(self) -> bool:
        """Seeded from the article, which never says it is on the 168-item list."""
        return self.origin is RecordOrigin.SEED


def board_summary(*, today: dt.date) -> Summary:
    """Headline counts of public items, with the campaign's list size: one statement."""
    row = db.session.execute(select(
        func.count(Matter.id),
        _count_where(_COMPLETED),
        func.coalesce(func.sum(Matter.progress), 0),
        _count_where(overdue_clause(today)),
        _count_where(_REPORTED),
        select(func.count(KeyIssue.id)).scalar_subquery(),
        select(CampaignFigure.value).where(CampaignFigure.key == "matters_total").scalar_subquery(),
    ).where(_PUBLIC)).one()
    return Summary(items=int(row[0]), completed=int(row[1]), progress_sum=int(row[2]),
                   overdue=int(row[3]), reported=int(row[4]), key_issues_named=int(row[5]),
                   campaign_total=int(row[6]) if row[6] is not None else None)


def _group_columns(today: dt.date) -> tuple:
    return (func.count(Matter.id), _count_where(_COMPLETED),
            func.coalesce(func.sum(Matter.progress), 0), _count_where(overdue_clause(today)))


def progress_by_unit(*, today: dt.date) -> list[GroupRow]:
    """Public items per lead unit (most items first); items with no lead unit last."""
    rows = db.session.execute(
        select(Unit.code, Unit.name, Unit.name_en, *_group_columns(today))
        .select_from(Matter).outerjoin(Unit, Matter.lead_unit_id == Unit.id)
        .where(_PUBLIC)
        .group_by(Unit.id, Unit.code, Unit.name, Unit.name_en)
    ).all()
    groups = [GroupRow(key=r[0], name=r[1], name_en=r[2], items=int(r[3]), completed=int(r[4]),
                       progress_sum=int(r[5]), overdue=int(r[6])) for r in rows]
    return sorted(groups, key=lambda g: (g.key is None, -g.items, g.key or ""))


def progress_by_key_issue(*, today: dt.date) -> list[GroupRow]:
    """Public items per key issue in issue order; items not yet assigned to one last."""
    rows = db.session.execute(
        select(KeyIssue.number, KeyIssue.title, KeyIssue.title_en, *_group_columns(today))
        .select_from(Matter).outerjoin(KeyIssue, Matter.key_issue_id == KeyIssue.id)
        .where(_PUBLIC)
        .group_by(KeyIssue.id, KeyIssue.number, KeyIssue.title, KeyIssue.title_en)
    ).all()
    groups = [GroupRow(key=str(r[0]) if r[0] is not None else None, name=r[1], name_en=r[2],
                       items=int(r[3]), completed=int(r[4]), progress_sum=int(r[5]),
                       overdue=int(r[6])) for r in rows]
    return sorted(groups, key=lambda g: (g.key is None, int(g.key or 0)))


MAX_GAP_FILL_MONTHS = 60


def completions_by_month() -> list[MonthRow]:
    """Completed public items per month of completed_on, oldest first; one statement.

    Months with no completion between the first and the last are filled with 0 so the chart
    reads as a timeline (unless the span is implausibly long). Completed items without a
    date are not here: a gap in the records is the supervisors' business, not the public's.
    """
    year = extract("year", Matter.completed_on)
    month = extract("month", Matter.completed_on)
    rows = db.session.execute(
        select(year, month, func.count(Matter.id))
        .where(_PUBLIC, _COMPLETED, Matter.completed_on.is_not(None))
        .group_by(year, month).order_by(year, month)
    ).all()
    counts = {dt.date(int(y), int(m), 1): int(n) for y, m, n in rows}
    if not counts:
        return []
    months = sorted(counts)
    first, last = months[0], months[-1]
    span = (last.year - first.year) * 12 + last.month - first.month
    if span <= MAX_GAP_FILL_MONTHS:
        months = [dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
                  for i in range(span + 1)]
    result, running = [], 0
    for m in months:
        running += counts.get(m, 0)
        result.append(MonthRow(month=m, completed=counts.get(m, 0), cumulative=running))
    return result


_ITEM_COLUMNS = (
    Matter.id, Matter.number, Matter.title, Matter.title_en, Matter.status, Matter.progress,
    Matter.deadline, Matter.original_deadline, Matter.completed_on, Matter.is_public,
    Matter.is_synthetic, Matter.origin, Unit.code, Unit.name, Unit.name_en, KeyIssue.number, KeyIssue.title,
    KeyIssue.title_en,
)


def _items_select(*extra):
    return (select(*_ITEM_COLUMNS, *extra).select_from(Matter)
            .outerjoin(Unit, Matter.lead_unit_id == Unit.id)
            .outerjoin(KeyIssue, Matter.key_issue_id == KeyIssue.id))


def _item(row, **extra) -> PublicItem:
    return PublicItem(*row[:len(_ITEM_COLUMNS)], **extra)


def _conditions(filters: BoardFilters, today: dt.date) -> list:
    where = [_PUBLIC]
    if filters.unit == NONE:
        where.append(Matter.lead_unit_id.is_(None))
    elif filters.unit:
        where.append(Matter.lead_unit_id == select(Unit.id).where(Unit.code == filters.unit)
                     .scalar_subquery())
    if filters.key_issue == NONE:
        where.append(Matter.key_issue_id.is_(None))
    elif filters.key_issue is not None:
        where.append(Matter.key_issue_id == select(KeyIssue.id)
                     .where(KeyIssue.number == filters.key_issue).scalar_subquery())
    if filters.status is not None:
        where.append(Matter.status == filters.status)
    if filters.overdue:
        where.append(overdue_clause(today))
    return where


def latest_public_notes(matter_ids: list[int]) -> dict[int, PublicNote]:
    """The newest public note of each given item, in one statement (a window function)."""
    if not matter_ids:
        return {}
    ranked = select(
        MatterUpdate.matter_id, MatterUpdate.created_at, MatterUpdate.note,
        MatterUpdate.from_article,
        func.row_number().over(
            partition_by=MatterUpdate.matter_id,
            order_by=(MatterUpdate.created_at.desc(), MatterUpdate.id.desc()),
        ).label("rn"),
    ).where(MatterUpdate.is_public.is_(True), MatterUpdate.matter_id.in_(matter_ids)).subquery()
    rows = db.session.execute(
        select(ranked.c.matter_id, ranked.c.created_at, ranked.c.note, ranked.c.from_article)
        .where(ranked.c.rn == 1)
    ).all()
    return {r[0]: PublicNote(created_at=r[1], note=r[2], from_article=r[3]) for r in rows}


def items_page(filters: BoardFilters, *, today: dt.date, page: int, per_page: int) -> Page:
    """Public items, overdue first, then by deadline (none last), then number.

    Three statements: the count, the page, the latest public note of each item on the page.
    A page past the end shows the last page (two statements more).
    """
    where = _conditions(filters, today)
    order = (case((overdue_clause(today), 0), else_=1),
             case((Matter.deadline.is_(None), 1), else_=0), Matter.deadline, Matter.number)
    stmt = _items_select().where(*where).order_by(*order)
    count = select(func.count(Matter.id)).where(*where)
    found = paginate(stmt, page=page, per_page=per_page, count=count, rows=True)
    if found.page > found.pages:  # only a stale or hand-made link lands past the end
        found = paginate(stmt, page=found.pages, per_page=per_page, count=count, rows=True)
    notes = latest_public_notes([r[0] for r in found.items])
    found.items = [_item(r, latest_note=notes.get(r[0])) for r in found.items]
    return found


def public_item(number: str) -> PublicItem | None:
    """One item by number (public or not: the caller checks), with its description and the
    article's sentences about it."""
    row = db.session.execute(_items_select(Matter.description, Matter.source_quote,
                                           Matter.source_quotes).where(Matter.number == number)
                             ).one_or_none()
    if row is None:
        return None
    n = len(_ITEM_COLUMNS)
    return _item(row, description=row[n], source_quote=row[n + 1], source_quotes=row[n + 2])


def co_unit_names(matter_id: int) -> list[tuple[str, str | None]]:
    """(name, name_en) of an item's co-units: offices, not people."""
    return [tuple(r) for r in db.session.execute(
        select(Unit.name, Unit.name_en)
        .join(matter_co_units, matter_co_units.c.unit_id == Unit.id)
        .where(matter_co_units.c.matter_id == matter_id).order_by(Unit.code))]


def public_history(matter_id: int) -> list[PublicNote]:
    """An item's public notes, newest first: no author, no private notes."""
    rows = db.session.execute(
        select(MatterUpdate.created_at, MatterUpdate.note, MatterUpdate.status_after,
               MatterUpdate.progress_after, MatterUpdate.from_article)
        .where(MatterUpdate.matter_id == matter_id, MatterUpdate.is_public.is_(True))
        .order_by(MatterUpdate.created_at.desc(), MatterUpdate.id.desc())
    ).all()
    return [PublicNote(created_at=r[0], note=r[1], status_after=r[2], progress_after=r[3],
                       from_article=r[4]) for r in rows]


def filter_options(units: list[GroupRow], key_issues: list[GroupRow]) -> dict:
    """Filter choices come from the groups already counted: no extra statement."""
    return {"units": [g for g in units if g.key is not None],
            "units_none": any(g.key is None for g in units),
            "key_issues": [g for g in key_issues if g.key is not None],
            "key_issues_none": any(g.key is None for g in key_issues)}


RATING_MONTHS = 12


@dataclass(frozen=True)
class PublicRatings:
    """Zone-wide rating figures: counts and rates only, no unit, staff, resident or comment."""

    first_month: dt.date
    overall: Figures
    months: list[Row]  # key YYYY-MM and its figures, oldest first


def public_ratings(*, today: dt.date) -> PublicRatings:
    """The last RATING_MONTHS months of completions (this one included): one statement, the
    overall figures being the sum of the months."""
    index = today.year * 12 + today.month - RATING_MONTHS
    first = dt.date(index // 12, index % 12 + 1, 1)
    months = monthly_figures(StatsFilter(first=first))
    overall = Figures(completed=sum(m.figures.completed for m in months),
                      rated=sum(m.figures.rated for m in months),
                      good=sum(m.figures.good for m in months),
                      excluded=sum(m.figures.excluded for m in months))
    return PublicRatings(first_month=first, overall=overall, months=months)
