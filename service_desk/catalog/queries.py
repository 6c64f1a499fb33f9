"""Reads for the service settings pages; each page costs a handful of statements."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache

import holidays
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import joinedload

from ..base.calendar import china_calendar, is_makeup_workday
from ..extensions import db
from ..units.models import Unit
from .hours import periods_on
from .models import Closure, OpeningHours, Service

Hours = dict[int, list[tuple[dt.time, dt.time]]]
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PREVIEW_DAYS = 60

# the settings an administrator edits, in the order the audit record lists them
SETTING_NAMES = ("duration_minutes", "capacity", "book_ahead_days", "min_notice_minutes",
                 "travel_buffer_minutes", "dispatch_days", "max_active_per_phone_per_day")


@dataclass(frozen=True)
class ServiceRow:
    service: Service
    has_hours: bool


def services_list() -> list[ServiceRow]:
    """Every service with its unit and whether it has opening hours: one statement."""
    has_hours = exists().where(OpeningHours.service_id == Service.id).label("has_hours")
    rows = db.session.execute(select(Service, has_hours).options(joinedload(Service.unit))
                              .order_by(Service.kind, Service.code))
    return [ServiceRow(service, bool(flag)) for service, flag in rows]


def service_by_code(code: str) -> Service | None:
    return db.session.scalar(select(Service).options(joinedload(Service.unit))
                             .where(Service.code == code))


def hours_of(service_id: int) -> Hours:
    """The weekly hours, weekday (Monday = 0) -> periods in time order."""
    hours: Hours = {}
    for row in db.session.scalars(select(OpeningHours).where(OpeningHours.service_id == service_id)
                                  .order_by(OpeningHours.weekday, OpeningHours.opens)):
        hours.setdefault(row.weekday, []).append((row.opens, row.closes))
    return hours


def units_for_choice() -> list[Unit]:
    return list(db.session.scalars(select(Unit).order_by(Unit.is_active.desc(), Unit.name)))


def hhmm(value: dt.time) -> str:
    return value.strftime("%H:%M")


def snapshot(service: Service, *, unit_code: str | None, hours: Hours) -> dict:
    """The edited state as plain JSON: the audit's before/after and the fingerprint's input."""
    return {
        **{name: getattr(service, name) for name in SETTING_NAMES},
        "unit": unit_code,
        "is_active": bool(service.is_active),
        "hours": {key: [f"{hhmm(o)}-{hhmm(c)}" for o, c in sorted(hours.get(day, []))]
                  for day, key in enumerate(WEEKDAY_KEYS)},
    }


def fingerprint(state: dict) -> str:
    """A short hash of a snapshot: a form carries it so a save over someone else's is refused
    (Service has no version column)."""
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def upcoming_closures(service_id: int, *, today: dt.date) -> list[Closure]:
    """This service's closures and the all-services ones, from today on, by date."""
    return list(db.session.scalars(select(Closure).where(
        or_(Closure.service_id == service_id, Closure.service_id.is_(None)),
        Closure.on_date >= today).order_by(Closure.on_date, Closure.starts,
                                           Closure.service_id.is_(None), Closure.id)))


def closures_between(service_id: int, first: dt.date, last: dt.date) -> list[Closure]:
    return list(db.session.scalars(select(Closure).where(
        or_(Closure.service_id == service_id, Closure.service_id.is_(None)),
        Closure.on_date >= first, Closure.on_date <= last).order_by(Closure.on_date, Closure.starts,
                                                                    Closure.id)))


def closures_in_scope(*, service_id: int | None, first: dt.date,
                      last: dt.date) -> list[Closure]:
    """Closures from ``first`` to ``last`` that a new closure of that service (or of every
    service when None) would repeat: the service's own and the all-services ones."""
    scope = (Closure.service_id.is_(None) if service_id is None
             else or_(Closure.service_id == service_id, Closure.service_id.is_(None)))
    return list(db.session.scalars(select(Closure).where(
        scope, Closure.on_date >= first, Closure.on_date <= last)
        .order_by(Closure.on_date, Closure.starts, Closure.id)))


@lru_cache(maxsize=8)
def _named_calendar(year: int, language: str) -> holidays.HolidayBase:
    return holidays.China(years=year, language=language)


def holiday_name(day: dt.date, language: str) -> str | None:
    """The holiday's name in the page's language (zh_CN 国庆节, en_US National Day)."""
    return _named_calendar(day.year, language).get(day)


@dataclass
class PreviewDay:
    day: dt.date
    holiday: str | None = None  # public holiday or its day off (closed)
    makeup: bool = False  # official make-up working day (调休上班)
    uses_monday_hours: bool = False
    closures: list[Closure] = field(default_factory=list)
    periods: list[tuple[dt.time, dt.time]] = field(default_factory=list)


def calendar_preview(*, hours: Hours, closures: list[Closure], first: dt.date,
                     days: int = PREVIEW_DAYS, language: str = "zh_CN") -> list[PreviewDay]:
    """The days in [first, first + days) that differ from an ordinary week: public holidays
    (closed), make-up working days (open), closures. The holiday rules are availability's."""
    by_day: dict[dt.date, list[Closure]] = {}
    for closure in closures:
        by_day.setdefault(closure.on_date, []).append(closure)
    out: list[PreviewDay] = []
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        entry = PreviewDay(day=day, closures=by_day.get(day, []))
        if day in china_calendar(day.year):
            entry.holiday = holiday_name(day, language) or "—"
        elif is_makeup_workday(day):
            entry.makeup = True
            entry.uses_monday_hours = day.weekday() >= 5 and not hours.get(day.weekday())
        if entry.holiday is None and not entry.makeup and not entry.closures:
            continue
        whole_day = any(c.starts is None for c in entry.closures)
        entry.periods = [] if whole_day else periods_on(day, hours)
        out.append(entry)
    return out
