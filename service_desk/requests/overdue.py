"""Overdue dispatched requests for the supervisors' board, next to the ledger's overdue items."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from ..base.deadlines import days_overdue, late_clause
from ..catalog.models import Service
from ..extensions import db
from ..units.models import Unit
from .lifecycle import OPEN_STATUSES
from .models import RequestStatus, ServiceRequest

BOARD_LIMIT = 50


@dataclass(frozen=True)
class OverdueRequest:
    reference: str
    status: RequestStatus
    service: str
    unit: str | None
    due_at: dt.datetime
    days_overdue: int  # whole local days past the deadline; 0 = late since today


@dataclass(frozen=True)
class OverdueRequests:
    rows: list[OverdueRequest]
    total: int
    limit: int


def overdue_requests(*, now: dt.datetime, limit: int = BOARD_LIMIT) -> OverdueRequests:
    """The ``limit`` most overdue requests (still with a unit, past their deadline) and how
    many there are in all: two statements whatever the number."""
    late = (ServiceRequest.status.in_(OPEN_STATUSES), late_clause(ServiceRequest.due_at, now))
    total = db.session.scalar(select(func.count(ServiceRequest.id)).where(*late)) or 0
    rows = db.session.execute(
        select(ServiceRequest.reference, ServiceRequest.status, ServiceRequest.due_at,
               Service.name, Unit.name)
        .join(Service, Service.id == ServiceRequest.service_id)
        .outerjoin(Unit, Unit.id == ServiceRequest.unit_id)
        .where(*late).order_by(ServiceRequest.due_at, ServiceRequest.id).limit(limit))
    return OverdueRequests(
        rows=[OverdueRequest(ref, status, service, unit, due, days_overdue(due, now))
              for ref, status, due, service, unit in rows],
        total=total, limit=limit)
