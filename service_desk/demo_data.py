"""Synthetic data for load and benchmark work, flagged is_synthetic everywhere.

Never loaded by `make run`; numbers are prefixed "SYN-" so nobody mistakes them for the list.
"""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, insert, select

from .bookings.models import RequestStatus, ServiceRequest
from .catalog.models import Channel, Service, ServiceKind
from .db import utcnow
from .extensions import db
from .matters.models import Matter, MatterStatus, MatterUpdate, RecordOrigin, UpdateKind
from .units.models import Unit

BATCH = 2000


class DemoDataError(ValueError):
    pass


def _batches(rows, size=BATCH):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def demo_data(*, matters: int, updates_per_matter: int, appointments: int,
              today: dt.date, seed: int = 2021) -> dict[str, int]:
    """Insert synthetic matters (with history) and appointments in bulk; flush, don't commit."""
    rng = random.Random(seed)
    unit_ids = list(db.session.scalars(select(Unit.id).order_by(Unit.id)))
    if not unit_ids:
        raise DemoDataError("no units: run `service-desk seed` first")
    start = db.session.scalar(select(func.count(Matter.id)).where(Matter.is_synthetic.is_(True))) or 0
    now = utcnow()
    statuses = [MatterStatus.NOT_STARTED, MatterStatus.IN_PROGRESS, MatterStatus.COMPLETED]
    rows = []
    for i in range(start, start + matters):
        status = rng.choices(statuses, weights=[2, 5, 3])[0]
        deadline = today + dt.timedelta(days=rng.randint(-120, 240))
        progress = {MatterStatus.NOT_STARTED: 0, MatterStatus.COMPLETED: 100}.get(
            status, rng.randint(1, 99))
        rows.append({
            "number": f"SYN-{i + 1:06d}", "title": f"合成测试事项 {i + 1}（非真实数据）",
            "lead_unit_id": rng.choice(unit_ids), "deadline": deadline, "original_deadline": deadline,
            "status": status, "progress": progress, "is_public": rng.random() < 0.9,
            "completed_on": deadline - dt.timedelta(days=rng.randint(-30, 60))
            if status is MatterStatus.COMPLETED else None,
            "origin": RecordOrigin.SYNTHETIC, "is_synthetic": True, "created_at": now,
            "updated_at": now, "version": 1,
        })
    ids: list[int] = []
    for batch in _batches(rows):
        db.session.execute(insert(Matter), batch)
        ids += db.session.scalars(select(Matter.id).where(
            Matter.number.in_([r["number"] for r in batch])))
    updates = []
    for matter_id in ids:
        for k in range(updates_per_matter):
            updates.append({
                "matter_id": matter_id, "created_at": now - dt.timedelta(days=rng.randint(0, 365),
                                                                         minutes=k),
                "note": f"合成进展记录 {k + 1}", "kind": UpdateKind.PROGRESS,
                "is_public": rng.random() < 0.5, "is_synthetic": True, "matter_version": 1,
            })
        if len(updates) >= BATCH * 5:
            for batch in _batches(updates):
                db.session.execute(insert(MatterUpdate), batch)
            updates = []
    for batch in _batches(updates):
        db.session.execute(insert(MatterUpdate), batch)

    made_appointments = 0
    if appointments:
        service = db.session.scalar(select(Service).where(Service.kind == ServiceKind.APPOINTMENT)
                                    .order_by(Service.id))
        if service is None:
            raise DemoDataError("no appointment service: run `service-desk seed` first")
        taken = db.session.scalar(select(func.count(ServiceRequest.id))
                                  .where(ServiceRequest.is_synthetic.is_(True))) or 0
        bookings = []
        for j in range(taken, taken + appointments):
            starts = dt.datetime.combine(today + dt.timedelta(days=rng.randint(-60, 60)),
                                         dt.time(1 + rng.randint(0, 7), 0), tzinfo=dt.timezone.utc)
            bookings.append({
                "reference": f"SYN{j + 1:09d}", "service_id": service.id,
                "channel": rng.choice([Channel.WEB, Channel.WECHAT, Channel.PHONE]),
                "status": RequestStatus.BOOKED, "resident_name": "合成用户",
                "resident_phone": f"1990000{j % 10000:04d}", "starts_at": starts,
                "ends_at": starts + dt.timedelta(minutes=30), "unit_id": service.unit_id,
                "is_synthetic": True, "created_at": now, "updated_at": now, "version": 1,
            })
        for batch in _batches(bookings):
            db.session.execute(insert(ServiceRequest), batch)
        made_appointments = len(bookings)
    return {"matters": len(rows), "updates": len(ids) * updates_per_matter,
            "appointments": made_appointments}
