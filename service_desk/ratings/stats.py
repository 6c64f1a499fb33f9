"""The satisfaction figures, computed from the stored ratings.

- completed: finished services (appointments completed, requests resolved or called back),
  counted in the month (Asia/Shanghai) they were finished;
- rated: those with a rating that counts (a rating left out after an upheld appeal does not);
- good: ratings of 满意 (4) or 非常满意 (5) — "satisfied or better";
- evaluation rate = rated ÷ completed; good-rating rate = good ÷ rated; None when nothing to
  divide.

The dashboard's breakdowns come from one GROUP BY over the finished requests and their
ratings, rolled up in Python, so the number of statements is fixed whatever the data size.
They are grouped by the request's unit, service and channel (the denominator lives there);
the rating keeps its own copies so it says who and what was rated on its own.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import and_, case, func, select
from sqlalchemy.sql import ColumnElement

from ..base.calendar import zone, zone_name
from ..catalog.models import Channel, Service
from ..db import utcnow
from ..extensions import db
from ..requests.models import ServiceRequest
from ..units.models import Unit
from .models import BAD_LEVELS, CLOSED_STATUSES, GOOD_LEVELS, Rating, Rectification
from .services import RATEABLE_STATUSES


@dataclass(frozen=True)
class Targets:
    """Targets for the two rates, drawn as reference lines where set (None: not set).

    They are a setting (RATING_TARGET_EVALUATION, RATING_TARGET_GOOD), not the article's
    figures: the article reports results (on-site evaluation at the approval service centre
    rose from 40% to 80%, good ratings above 99%), measured on site at one centre, and
    those are shown as reported, from seeds/figures.yaml, never as our targets.
    """

    evaluation: float | None = None
    good: float | None = None

    @property
    def any(self) -> bool:
        return self.evaluation is not None or self.good is not None


def _target(name: str) -> float | None:
    raw = current_app.config.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = -1.0
    if not 0 < value <= 1:
        raise ValueError(f"{name} must be a fraction above 0 and at most 1 (0.8 for 80%), "
                         f"not {raw!r}")
    return value


def rating_targets() -> Targets:
    """The targets in force, from the configuration; a bad value is refused by name."""
    return Targets(evaluation=_target("RATING_TARGET_EVALUATION"),
                   good=_target("RATING_TARGET_GOOD"))


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass(frozen=True)
class Figures:
    completed: int = 0
    rated: int = 0
    good: int = 0
    excluded: int = 0

    @property
    def evaluation_rate(self) -> float | None:
        return _rate(self.rated, self.completed)

    @property
    def good_rating_rate(self) -> float | None:
        return _rate(self.good, self.rated)


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: its key (unit code, service code, channel, YYYY-MM), a
    label to show, and its figures."""

    key: str
    label: str
    figures: Figures
    label_en: str | None = None


@dataclass(frozen=True)
class RectificationFigures:
    total: int = 0  # bad ratings (each opens one)
    called_back: int = 0
    closed: int = 0
    closed_on_time: int = 0
    open_overdue: int = 0
    upheld_appeals: int = 0

    @property
    def callback_rate(self) -> float | None:
        return _rate(self.called_back, self.total)

    @property
    def on_time_rate(self) -> float | None:
        """Closed by the deadline ÷ those whose outcome is known (closed, or late and open)."""
        return _rate(self.closed_on_time, self.closed + self.open_overdue)


@dataclass
class RatingStats:
    overall: Figures
    levels: dict[int, int]  # counted ratings per level 1–5
    by_unit: list[Row] = field(default_factory=list)
    by_service: list[Row] = field(default_factory=list)
    by_channel: list[Row] = field(default_factory=list)
    by_month: list[Row] = field(default_factory=list)
    rectification: RectificationFigures = field(default_factory=RectificationFigures)

    @property
    def unit_ranking(self) -> list[Row]:
        """Best first: good-rating rate, then evaluation rate, then how many rated; units
        with nothing rated come last."""
        def key(row: Row):
            f = row.figures
            return (f.good_rating_rate is None, -(f.good_rating_rate or 0),
                    -(f.evaluation_rate or 0), -f.rated, row.key)
        return sorted(self.by_unit, key=key)


@dataclass(frozen=True)
class StatsFilter:
    first: dt.date | None = None  # first day of completion, local date
    last: dt.date | None = None  # last day, inclusive
    unit_id: int | None = None
    service_id: int | None = None
    channel: Channel | None = None
    # demo and load-test rows are made up: left out unless a supervisor asks for them
    include_demo: bool = False


def _finished_at():
    return func.coalesce(ServiceRequest.resolved_at, ServiceRequest.updated_at)


def local_month(column) -> ColumnElement[str]:
    """YYYY-MM of a UTC timestamp in the display time zone, computed by the database."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone(zone_name(), column), "YYYY-MM")
    # SQLite stores naive UTC; the zone (Asia/Shanghai) keeps one offset all year
    offset = zone().utcoffset(dt.datetime(2000, 1, 1))
    hours = int(offset.total_seconds() // 3600)
    return func.strftime("%Y-%m", column, f"{hours:+d} hours")


def _bounds(day: dt.date, *, days_after: int = 0) -> dt.datetime | None:
    """The start of a local day (``days_after`` the given one) in UTC; None past either end
    of the calendar (0001-01-01 starts before UTC's year 1, 9999-12-31 has no next day):
    nothing can be finished out there, so that side needs no bound."""
    try:
        start = dt.datetime.combine(day + dt.timedelta(days=days_after), dt.time(0),
                                    tzinfo=zone())
        return start.astimezone(dt.UTC)
    except OverflowError:
        return None


def _where(f: StatsFilter) -> list:
    conds = [ServiceRequest.status.in_(RATEABLE_STATUSES)]
    if not f.include_demo:
        conds.append(ServiceRequest.is_synthetic.is_(False))
    first = _bounds(f.first) if f.first else None
    if first is not None:
        conds.append(_finished_at() >= first)
    end = _bounds(f.last, days_after=1) if f.last else None
    if end is not None:
        conds.append(_finished_at() < end)
    if f.unit_id:
        conds.append(ServiceRequest.unit_id == f.unit_id)
    if f.service_id:
        conds.append(ServiceRequest.service_id == f.service_id)
    if f.channel:
        conds.append(ServiceRequest.channel == f.channel)
    return conds


_COUNTED = and_(Rating.id.is_not(None), Rating.excluded.is_(False))


def _aggregates():
    return (func.count(ServiceRequest.id),
            func.coalesce(func.sum(case((_COUNTED, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(_COUNTED, Rating.level.in_(
                [int(x) for x in GOOD_LEVELS])), 1), else_=0)), 0),
            func.coalesce(func.sum(case((Rating.excluded.is_(True), 1), else_=0)), 0))


def _grouped(f: StatsFilter, key) -> list[tuple]:
    stmt = (select(key, *_aggregates())
            .select_from(ServiceRequest)
            .outerjoin(Rating, Rating.request_id == ServiceRequest.id)
            .where(*_where(f)).group_by(key))
    return list(db.session.execute(stmt))


def _figures(row) -> Figures:
    return Figures(completed=int(row[1]), rated=int(row[2]), good=int(row[3]),
                   excluded=int(row[4]))


def monthly_figures(f: StatsFilter | None = None) -> list[Row]:
    """The zone-wide figures month by month (the public board): one statement."""
    month = local_month(_finished_at())
    return [Row(key=r[0], label=r[0], figures=_figures(r))
            for r in sorted(_grouped(f or StatsFilter(), month), key=lambda r: r[0] or "")]


def _rectification(f: StatsFilter, now: dt.datetime) -> RectificationFigures:
    closed = Rectification.status.in_(CLOSED_STATUSES)
    stmt = (select(
        func.count(Rectification.id),
        func.coalesce(func.sum(case((Rectification.called_back_at.is_not(None), 1), else_=0)), 0),
        func.coalesce(func.sum(case((closed, 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(closed, Rectification.closed_at <= Rectification.due_at),
                                     1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(~closed, Rectification.due_at < now), 1), else_=0)), 0),
        func.coalesce(func.sum(case((Rating.excluded.is_(True), 1), else_=0)), 0))
        .select_from(Rectification)
        .join(Rating, Rating.id == Rectification.rating_id)
        .join(ServiceRequest, ServiceRequest.id == Rating.request_id)
        .where(*_where(f), Rating.level.in_([int(x) for x in BAD_LEVELS])))
    row = db.session.execute(stmt).one()
    return RectificationFigures(*(int(x) for x in row))


def _cube(f: StatsFilter) -> list[tuple]:
    """One scan: counts per (unit, service, channel, month, level, excluded). The number of
    rows is bounded by those dimensions, not by the number of requests."""
    month = local_month(_finished_at())
    keys = (ServiceRequest.unit_id, ServiceRequest.service_id, ServiceRequest.channel, month,
            Rating.level, Rating.excluded)
    stmt = (select(*keys, func.count(ServiceRequest.id))
            .select_from(ServiceRequest)
            .outerjoin(Rating, Rating.request_id == ServiceRequest.id)
            .where(*_where(f)).group_by(*keys))
    return list(db.session.execute(stmt))


class _Tally:
    __slots__ = ("completed", "excluded", "good", "rated")

    def __init__(self) -> None:
        self.completed = self.rated = self.good = self.excluded = 0

    def add(self, level: int | None, excluded: bool | None, n: int) -> None:
        self.completed += n
        if level is None:
            return
        if excluded:
            self.excluded += n
            return
        self.rated += n
        if level in GOOD_LEVELS:
            self.good += n

    def figures(self) -> Figures:
        return Figures(self.completed, self.rated, self.good, self.excluded)


def rating_figures(f: StatsFilter | None = None, *, now: dt.datetime | None = None) -> RatingStats:
    """Every figure of the dashboard: 4 statements whatever the number of ratings (the cube,
    the rectifications, and the names of the units and services in it)."""
    f = f or StatsFilter()
    now = now or utcnow()
    overall = _Tally()
    tallies: dict[str, dict] = {"unit": {}, "service": {}, "channel": {}, "month": {}}
    levels = {level: 0 for level in range(1, 6)}
    for unit_id, service_id, channel, month, level, excluded, n in _cube(f):
        overall.add(level, excluded, n)
        for dim, key in (("unit", unit_id), ("service", service_id), ("channel", channel),
                         ("month", month)):
            tallies[dim].setdefault(key, _Tally()).add(level, excluded, n)
        if level is not None and not excluded:
            levels[int(level)] += n
    # always both look-ups (an empty IN is fine): the same statements for any data
    units = {u.id: u for u in db.session.scalars(select(Unit).where(
        Unit.id.in_([k for k in tallies["unit"] if k is not None])))}
    services = {s.id: s for s in db.session.scalars(select(Service).where(
        Service.id.in_(list(tallies["service"]))))}

    def unit_row(unit_id, tally: _Tally) -> Row:
        unit = units.get(unit_id)
        return Row(key=unit.code if unit else "", label=unit.name if unit else "",
                   label_en=unit.name_en if unit else None, figures=tally.figures())

    def by_key(rows) -> list[Row]:
        return sorted(rows, key=lambda row: row.key)

    return RatingStats(
        overall=overall.figures(),
        levels=levels,
        by_unit=by_key(unit_row(k, t) for k, t in tallies["unit"].items()),
        by_service=by_key(Row(key=services[k].code, label=services[k].name,
                              label_en=services[k].name_en, figures=t.figures())
                          for k, t in tallies["service"].items()),
        by_channel=by_key(Row(key=k.value, label=k.value, figures=t.figures())
                          for k, t in tallies["channel"].items() if k is not None),
        by_month=by_key(Row(key=k, label=k, figures=t.figures())
                        for k, t in tallies["month"].items() if k is not None),
        rectification=_rectification(f, now),
    )
