"""Synthetic data for load and benchmark work, flagged is_synthetic everywhere.

Never loaded by `make run`; numbers are prefixed "SYN-" so nobody mistakes them for the list.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from sqlalchemy import func, insert, select

from .base.calendar import zone
from .catalog.hours import settings_of
from .catalog.models import Channel, Service, ServiceKind, Slot
from .catalog.slot_versions import slots_changed
from .db import utcnow
from .extensions import db
from .matters.models import Matter, MatterStatus, MatterUpdate, RecordOrigin, UpdateKind
from .requests.models import RequestStatus, ServiceRequest
from .units.models import Unit

BATCH = 2000


class DemoDataError(ValueError):
    pass


def _batches(rows, size=BATCH):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _nothing(_rows: int) -> None:
    return None


def demo_data(*, matters: int, updates_per_matter: int, appointments: int,
              today: dt.date, seed: int = 2021,
              advance: Callable[[int], None] = _nothing) -> dict[str, int]:
    """Insert synthetic matters (with history) and appointments in bulk; flush, don't commit.
    ``advance(n)`` is told of every ``n`` rows inserted (a command's progress bar)."""
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
        advance(len(batch))
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
                advance(len(batch))
            updates = []
    for batch in _batches(updates):
        db.session.execute(insert(MatterUpdate), batch)
        advance(len(batch))

    made_appointments = 0
    if appointments:
        made_appointments = _coming_appointments(appointments // 100, today=today, rng=rng,
                                                 now=now, advance=advance)
        made_appointments += _synthetic_appointments(appointments - made_appointments,
                                                     today=today, rng=rng, now=now,
                                                     advance=advance)
        slots_changed(None)  # the counters moved under every service's cached slots
    return {"matters": len(rows), "updates": len(ids) * updates_per_matter,
            "appointments": made_appointments}


def _coming_appointments(count: int, *, today: dt.date, rng: random.Random,
                         now: dt.datetime, advance: Callable[[int], None]) -> int:
    """Booked appointments over the coming weeks, so the slot counters a resident's slots
    call reads are real: each slot on the half-hour grid from tomorrow on gets a random share of
    its service's capacity, leaving places free (benchmarks book those)."""
    services = list(db.session.scalars(select(Service).where(
        Service.kind == ServiceKind.APPOINTMENT).order_by(Service.id)))
    if not services or count <= 0:
        return 0
    tz = zone()
    slot_rows: list[dict] = []
    made, day = 0, today + dt.timedelta(days=1)
    while made < count and day <= today + dt.timedelta(days=60):
        for service in services if day.weekday() < 5 else ():  # demo hours: Monday to Friday
            capacity = settings_of(service).capacity
            for t in _GRID:
                booked = min(rng.randint(0, capacity // 2) if capacity > 1
                             else int(rng.random() < 0.5), count - made)
                if booked <= 0:
                    continue
                starts = dt.datetime.combine(day, t, tzinfo=tz).astimezone(dt.UTC)
                slot_rows.append({"service_id": service.id, "starts_at": starts,
                                  "ends_at": starts + dt.timedelta(minutes=30),
                                  "capacity": capacity, "booked": booked})
                made += booked
        day += dt.timedelta(days=1)
    if slot_rows:
        _insert_bookings(slot_rows, services, rng=rng, now=now, advance=advance,
                         status=lambda: RequestStatus.BOOKED)
    return made


_GRID = [dt.time(9, 0), dt.time(9, 30), dt.time(10, 0), dt.time(10, 30), dt.time(11, 0),
         dt.time(11, 30), dt.time(13, 30), dt.time(14, 0), dt.time(14, 30), dt.time(15, 0),
         dt.time(15, 30), dt.time(16, 0), dt.time(16, 30)]


def _synthetic_appointments(count: int, *, today: dt.date, rng: random.Random,
                            now: dt.datetime, advance: Callable[[int], None]) -> int:
    """Past appointments on the half-hour grid of every bookable service, with their slot
    counters, so both tables are as large as years of use would make them (before today,
    before any synthetic past already there)."""
    services = list(db.session.scalars(select(Service).where(
        Service.kind == ServiceKind.APPOINTMENT).order_by(Service.id)))
    if not services:
        raise DemoDataError("no appointment service: run `service-desk seed` first")
    times = _GRID
    tz = zone()
    taken = db.session.scalar(select(func.min(Slot.starts_at)).where(
        Slot.service_id.in_([s.id for s in services]))) if count else None
    day = min(taken.astimezone(tz).date() if taken else today, today) - dt.timedelta(days=1)
    grid: list[tuple[Service, dt.datetime]] = []
    per_slot = 40
    while len(grid) * per_slot < count:
        if day.weekday() < 5:
            for service in services:
                for t in times:
                    grid.append((service, dt.datetime.combine(day, t, tzinfo=tz)
                                 .astimezone(dt.UTC)))
        day -= dt.timedelta(days=1)
    slot_rows, made = [], 0
    for service, starts in grid:
        n = min(per_slot, count - made)
        if n <= 0:
            break
        slot_rows.append({"service_id": service.id, "starts_at": starts,
                          "ends_at": starts + dt.timedelta(minutes=30), "capacity": per_slot,
                          "booked": n})
        made += n
    if slot_rows:
        _insert_bookings(slot_rows, services, rng=rng, now=now, advance=advance,
                         status=lambda: rng.choices([RequestStatus.COMPLETED,
                                                     RequestStatus.CANCELLED,
                                                     RequestStatus.NO_SHOW],
                                                    weights=[90, 7, 3])[0])
    return made


def _insert_bookings(slot_rows: list[dict], services: list[Service], *, rng: random.Random,
                     now: dt.datetime, advance: Callable[[int], None],
                     status: Callable[[], RequestStatus]) -> None:
    """The slot counters and one synthetic request for each place they count."""
    bookings: list[dict] = []
    base = db.session.scalar(select(func.count(ServiceRequest.id))
                             .where(ServiceRequest.is_synthetic.is_(True))) or 0
    for batch in _batches(slot_rows):
        db.session.execute(insert(Slot), batch)
    slot_ids = {(sid, st): i for i, sid, st in db.session.execute(
        select(Slot.id, Slot.service_id, Slot.starts_at).where(
            Slot.starts_at <= max(r["starts_at"] for r in slot_rows),
            Slot.starts_at >= min(r["starts_at"] for r in slot_rows)))}
    unit_of = {s.id: s.unit_id for s in services}
    j = base
    for row in slot_rows:
        slot_id = slot_ids[(row["service_id"], row["starts_at"])]
        for _ in range(row["booked"]):
            j += 1
            bookings.append({
                "reference": f"SYN{j:09d}", "service_id": row["service_id"],
                "channel": rng.choice([Channel.WEB, Channel.WECHAT, Channel.PHONE]),
                "status": status(),
                "resident_name": "合成用户", "resident_phone": f"1990000{j % 10000:04d}",
                "starts_at": row["starts_at"], "ends_at": row["ends_at"], "slot_id": slot_id,
                "unit_id": unit_of[row["service_id"]], "is_synthetic": True, "created_at": now, "updated_at": now, "version": 1,
            })
            if len(bookings) >= BATCH * 10:
                for batch in _batches(bookings):
                    db.session.execute(insert(ServiceRequest), batch)
                    advance(len(batch))
                bookings = []
    for batch in _batches(bookings):
        db.session.execute(insert(ServiceRequest), batch)
        advance(len(batch))
