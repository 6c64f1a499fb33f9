"""Reads for the residents' booking pages; each costs a fixed number of statements."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import select

from ..base.calendar import local_day
from ..catalog.hours import settings_of
from ..catalog.models import Service, ServiceKind
from ..extensions import db
from ..requests.availability import FreeSlot, free_slots
from ..requests.models import RequestEvent, ServiceRequest

MAX_DAYS_SHOWN = 14


@dataclass(frozen=True)
class DayChoice:
    day: dt.date  # local date
    free_times: int
    total_times: int

    @property
    def full(self) -> bool:
        return self.free_times == 0


def services_for_residents() -> tuple[list[Service], list[Service]]:
    """(bookable appointment services, services asked for through the hotline): one statement."""
    rows = db.session.scalars(select(Service).where(Service.is_active.is_(True))
                              .order_by(Service.id)).all()
    return ([s for s in rows if s.kind is ServiceKind.APPOINTMENT],
            [s for s in rows if s.kind is ServiceKind.DISPATCH])


def bookable_service(code: str) -> Service | None:
    return db.session.scalar(select(Service).where(
        Service.code == code, Service.is_active.is_(True),
        Service.kind == ServiceKind.APPOINTMENT))


def open_days(service: Service, *, now: dt.datetime) -> list[DayChoice]:
    """The next days with bookable times (full ones included), one free_slots call."""
    today = local_day(now)
    last = today + dt.timedelta(days=settings_of(service).book_ahead_days)
    slots = free_slots(service, first=today, last=last, now=now)
    days = []
    for day, group in groupby(slots, key=lambda s: local_day(s.start)):
        items = list(group)
        days.append(DayChoice(day, sum(1 for s in items if s.remaining > 0), len(items)))
    return days[:MAX_DAYS_SHOWN]


def times_on(service: Service, day: dt.date, *, now: dt.datetime) -> list[FreeSlot]:
    return free_slots(service, first=day, last=day, now=now)


def booking_with_service(reference: str) -> tuple[ServiceRequest, Service] | None:
    row = db.session.execute(
        select(ServiceRequest, Service).join(Service, Service.id == ServiceRequest.service_id)
        .where(ServiceRequest.reference == reference)).first()
    return (row[0], row[1]) if row else None


def booking_events(request_id: int) -> list[RequestEvent]:
    """A booking's history, oldest first: one statement."""
    return list(db.session.scalars(select(RequestEvent).where(
        RequestEvent.request_id == request_id).order_by(RequestEvent.at, RequestEvent.id)))
