"""Reads for the unit schedule: a day's bookings, a week's counts, one booking.

Each page costs a fixed number of statements whatever the number of bookings: the day is one
joined SELECT (request, service, assignee's name), the unit's staff one more; the week is one
grouped SELECT.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from ..accounts.models import Role, User
from ..base.calendar import zone
from ..base.display import normalise_reference
from ..catalog.models import Closure, Service, ServiceKind, ServiceLocation
from ..extensions import db
from ..requests.models import RequestEvent, RequestStatus, ServiceRequest
from ..units.models import Unit
from .labels import APPOINTMENT_STATUSES


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local day [start, end) as aware UTC datetimes."""
    tz = zone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week holding ``day``."""
    return day - dt.timedelta(days=day.weekday())


@dataclass
class Booking:
    """One appointment as the day view shows it."""

    request: ServiceRequest
    service: Service
    assignee_name: str | None
    start: dt.datetime | None  # local time
    end: dt.datetime | None

    @property
    def is_home(self) -> bool:
        return self.service.location is ServiceLocation.HOME


@dataclass
class DaySchedule:
    """One page of a unit's day (``page`` of ``pages``, by time), with the whole day's
    counts: a busy hall's day is hundreds of bookings, each a card with its forms."""
    day: dt.date
    unit: Unit
    hall: list[Booking] = field(default_factory=list)
    home: list[Booking] = field(default_factory=list)
    staff: list[User] = field(default_factory=list)  # who a home visit can be assigned to
    hall_total: int = 0
    home_total: int = 0
    page: int = 1
    per_page: int = 50

    @property
    def total(self) -> int:
        return self.hall_total + self.home_total

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass
class WeekDay:
    day: dt.date
    counts: dict[RequestStatus, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class WeekCounts:
    start: dt.date
    unit: Unit
    days: list[WeekDay]

    @property
    def totals(self) -> dict[RequestStatus, int]:
        return {s: sum(d.counts[s] for d in self.days) for s in APPOINTMENT_STATUSES}

    @property
    def total(self) -> int:
        return sum(d.total for d in self.days)


def _assignee_name(display_name: str | None, username: str | None) -> str | None:
    return display_name or username


def unit_staff(unit_id: int) -> list[User]:
    """The unit's active staff accounts: who its home visits can go to."""
    return list(db.session.scalars(
        select(User).where(User.unit_id == unit_id, User.role == Role.STAFF,
                           User.is_active.is_(True))
        .order_by(User.display_name, User.username)))


DAY_PAGE = 50  # bookings a page of a day's schedule


def day_schedule(*, unit: Unit, day: dt.date, page: int = 1,
                 per_page: int = DAY_PAGE) -> DaySchedule:
    """The unit's appointments starting on a local day, by time, a page of them; hall and home
    apart, with the day's counts of each."""
    start, end = day_bounds(day)
    of_the_day = (ServiceRequest.unit_id == unit.id, Service.kind == ServiceKind.APPOINTMENT,
                  ServiceRequest.starts_at >= start, ServiceRequest.starts_at < end)
    schedule = DaySchedule(day=day, unit=unit, per_page=per_page)
    for location, count in db.session.execute(
            select(Service.location, func.count()).select_from(ServiceRequest)
            .join(ServiceRequest.service).where(*of_the_day).group_by(Service.location)):
        if location is ServiceLocation.HOME:
            schedule.home_total += count
        else:
            schedule.hall_total += count
    schedule.page = min(max(1, page), schedule.pages)
    assignee = aliased(User)
    rows = db.session.execute(
        select(ServiceRequest, assignee.display_name, assignee.username)
        .join(ServiceRequest.service)
        .outerjoin(assignee, assignee.id == ServiceRequest.assignee_id)
        .options(contains_eager(ServiceRequest.service))
        .where(*of_the_day)
        .order_by(ServiceRequest.starts_at, ServiceRequest.id)
        .limit(per_page).offset((schedule.page - 1) * per_page))
    tz = zone()
    for request, display_name, username in rows:
        booking = Booking(
            request=request, service=request.service,
            assignee_name=_assignee_name(display_name, username),
            start=request.starts_at.astimezone(tz) if request.starts_at else None,
            end=request.ends_at.astimezone(tz) if request.ends_at else None)
        (schedule.home if booking.is_home else schedule.hall).append(booking)
    schedule.staff = unit_staff(unit.id)
    return schedule


def week_counts(*, unit: Unit, start: dt.date) -> WeekCounts:
    """Bookings per day and status for the 7 days from ``start``, in one grouped SELECT."""
    days = [start + dt.timedelta(days=i) for i in range(7)]
    edges = [day_bounds(d)[0] for d in days] + [day_bounds(days[-1])[1]]
    # which day a booking falls on, by the local day boundaries (no SQL time-zone functions:
    # the same expression works on SQLite and PostgreSQL)
    day_index = case(*[(ServiceRequest.starts_at < edges[i + 1], i) for i in range(7)]).label(
        "day_index")
    rows = db.session.execute(
        select(day_index, ServiceRequest.status, func.count())
        .join(ServiceRequest.service)
        .where(ServiceRequest.unit_id == unit.id, Service.kind == ServiceKind.APPOINTMENT,
               ServiceRequest.starts_at >= edges[0], ServiceRequest.starts_at < edges[-1])
        .group_by(day_index, ServiceRequest.status))
    table = [WeekDay(day=d, counts={s: 0 for s in APPOINTMENT_STATUSES}) for d in days]
    for index, status, count in rows:
        counts = table[int(index)].counts
        counts[status] = counts.get(status, 0) + count
    return WeekCounts(start=start, unit=unit, days=table)


def schedule_units() -> list[Unit]:
    """Units that offer an appointment service: the choices of the supervisors' unit select."""
    return list(db.session.scalars(
        select(Unit).where(Unit.id.in_(
            select(Service.unit_id).where(Service.kind == ServiceKind.APPOINTMENT)))
        .order_by(Unit.name)))


def unit_by_code(code: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def booking_detail(reference: str) -> ServiceRequest | None:
    """An appointment by its reference, with its service and unit; None for anything else."""
    return db.session.scalar(
        select(ServiceRequest)
        .join(ServiceRequest.service)
        .options(contains_eager(ServiceRequest.service), joinedload(ServiceRequest.unit))
        .where(ServiceRequest.reference == normalise_reference(reference),
               Service.kind == ServiceKind.APPOINTMENT))


@dataclass
class HistoryEntry:
    event: RequestEvent
    actor_name: str | None


def booking_history(request_id: int) -> list[HistoryEntry]:
    actor = aliased(User)
    rows = db.session.execute(
        select(RequestEvent, actor.display_name, actor.username)
        .outerjoin(actor, actor.id == RequestEvent.actor_id)
        .where(RequestEvent.request_id == request_id)
        .order_by(RequestEvent.at, RequestEvent.id))
    return [HistoryEntry(event=e, actor_name=_assignee_name(d, u)) for e, d, u in rows]


def user_name(user_id: int | None) -> str | None:
    if user_id is None:
        return None
    row = db.session.execute(select(User.display_name, User.username)
                             .where(User.id == user_id)).first()
    return _assignee_name(*row) if row else None


@dataclass(frozen=True)
class ClosureNote:
    """A closure the schedule shows: the service closed (None: every service) and why."""

    service_name: str | None
    reason: str
    starts: dt.time | None = None  # part of the day only (local times); None: all day
    ends: dt.time | None = None


def unit_closures(*, unit: Unit, first: dt.date, last: dt.date) -> dict[dt.date, list[ClosureNote]]:
    """Closures of the unit's appointment services (and of every service) from ``first`` to
    ``last``, by day: one SELECT."""
    rows = db.session.execute(
        select(Closure.on_date, Closure.reason, Service.name, Closure.starts, Closure.ends)
        .outerjoin(Service, Service.id == Closure.service_id)
        .where(Closure.on_date >= first, Closure.on_date <= last,
               or_(Closure.service_id.is_(None),
                   (Service.unit_id == unit.id) & (Service.kind == ServiceKind.APPOINTMENT)))
        .order_by(Closure.on_date, Closure.starts, Service.name))
    out: dict[dt.date, list[ClosureNote]] = {}
    for on_date, reason, name, starts, ends in rows:
        out.setdefault(on_date, []).append(ClosureNote(service_name=name, reason=reason,
                                                       starts=starts, ends=ends))
    return out
