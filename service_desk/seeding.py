"""Load seeds/ (transcribed from the source article) into the database, idempotently.

Missing records are inserted; for existing ones only the fields the article owns (names,
descriptions, quotes, figures) are refreshed. Status, progress and deadlines of a matter
belong to the ledger once loaded, so re-seeding never reverts staff work.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .audit.services import audit_record
from .campaign.models import CampaignFigure
from .catalog.models import Service, ServiceKind, ServiceLocation
from .extensions import db
from .matters.models import Matter, MatterStatus, MatterUpdate, RecordOrigin
from .projects.models import (
    DatePrecision,
    KeyProject,
    MilestoneKind,
    ProjectMilestone,
    ProjectStage,
    RecordKind,
)
from .units.models import Unit, UnitKind

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
MULTIPLIER = {"亿": Decimal(100_000_000), "万": Decimal(10_000), None: Decimal(1)}


class SeedError(ValueError):
    """A seed file is malformed; nothing is loaded."""


@dataclass
class SeedStats:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, what: str) -> None:
        bucket = self.created if what == "created" else self.updated
        bucket[kind] = bucket.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def read_seed(name: str, directory: Path = SEEDS_DIR) -> list[dict[str, Any]]:
    path = directory / name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise SeedError(f"{path}: {exc}") from exc
    if not isinstance(data, list):
        raise SeedError(f"{path}: expected a list of records")
    return data


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set only what differs, so an unchanged seed leaves rows (and versions) untouched."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def _money(spec: dict | None) -> tuple[Decimal | None, str | None]:
    if not spec:
        return None, None
    return Decimal(str(spec["amount"])) * MULTIPLIER[spec.get("unit")], spec["currency"]


def _month(value: str) -> dt.date:
    text = str(value)
    if len(text) == 7:
        text += "-01"
    return dt.date.fromisoformat(text)


def _upsert(model, key_attr: str, key: Any, values: dict, stats: SeedStats, kind: str, cache):
    obj = cache.get(key)
    if obj is None:
        obj = model(**{key_attr: key}, **values)
        db.session.add(obj)
        cache[key] = obj
        stats.count(kind, "created")
    elif _assign(obj, values):
        stats.count(kind, "updated")
    return obj


def load_units(stats: SeedStats, directory: Path) -> dict[str, Unit]:
    records = read_seed("units.yaml", directory)
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    new = {rec["code"] for rec in records} - set(units)
    for rec in records:
        _upsert(Unit, "code", rec["code"], {
            "name": rec["name_zh"], "name_en": rec.get("name_en"), "kind": UnitKind(rec["kind"]),
            "note": rec.get("note"), "source_quote": rec["source"],
        }, stats, "units", units)
    db.session.flush()
    for rec in records:  # parents after every unit has an id
        parent = units.get(rec["parent"]) if rec.get("parent") else None
        if rec.get("parent") and parent is None:
            raise SeedError(f"unit {rec['code']}: unknown parent {rec['parent']!r}")
        changed = _assign(units[rec["code"]], {"parent_id": parent.id if parent else None})
        if changed and rec["code"] not in new:
            stats.count("units", "updated")
    return units


def _unit(units: dict[str, Unit], code: str | None, where: str) -> Unit | None:
    if code is None:
        return None
    if code not in units:
        raise SeedError(f"{where}: unknown unit {code!r}")
    return units[code]


def load_matters(stats: SeedStats, units: dict[str, Unit], directory: Path) -> None:
    existing = {m.number: m for m in db.session.scalars(
        select(Matter).options(selectinload(Matter.co_units)))}
    for rec in read_seed("matters.yaml", directory):
        number = rec["number"]
        lead = _unit(units, rec.get("lead_unit"), f"matter {number}")
        co = [_unit(units, c, f"matter {number}") for c in rec.get("co_units", [])]
        described = {
            "title": rec["title_zh"], "title_en": rec.get("title_en"),
            "description": rec.get("description_zh"), "source_quote": rec["source"],
            "source_quotes": list(rec["quotes"]) if rec.get("quotes") else None,
            "figures": rec.get("figures"),
        }
        matter = existing.get(number)
        if matter is not None:
            if _assign(matter, described):
                stats.count("matters", "updated")
            continue
        status = MatterStatus(rec["status"]) if rec.get("status") else MatterStatus.NOT_STARTED
        matter = Matter(
            number=number, origin=RecordOrigin.SEED, status=status,
            progress=100 if status is MatterStatus.COMPLETED else 0,
            lead_unit_id=lead.id if lead else None, co_units=co, **described,
        )
        db.session.add(matter)
        db.session.flush()
        # the article's sentence, not a note of this day: it carries no date of its own
        db.session.add(MatterUpdate(
            matter_id=matter.id, status_after=status, progress_after=matter.progress,
            note=rec["source"], is_public=True, from_article=True,
        ))
        stats.count("matters", "created")


def load_projects(stats: SeedStats, units: dict[str, Unit], directory: Path) -> None:
    existing = {p.code: p for p in db.session.scalars(
        select(KeyProject).options(selectinload(KeyProject.milestones)))}
    for rec in read_seed("key_projects.yaml", directory):
        code = rec["code"]
        owner = _unit(units, rec.get("owner_unit"), f"project {code}")
        total, total_cur = _money(rec.get("total_investment"))
        capital, capital_cur = _money(rec.get("registered_capital"))
        sales, sales_cur = _money(rec.get("expected_sales"))
        project = _upsert(KeyProject, "code", code, {
            "name": rec["name_zh"], "name_en": rec.get("name_en"), "origin": rec.get("origin"),
            "category": rec.get("category"), "total_investment": total,
            "total_investment_currency": total_cur, "registered_capital": capital,
            "registered_capital_currency": capital_cur, "expected_sales": sales,
            "expected_sales_currency": sales_cur, "owner_unit_id": owner.id if owner else None,
            # only what the article states: no stage read into a record (None = not stated)
            "stage": ProjectStage(rec["stage"]) if rec.get("stage") else None,
            "record_kind": RecordKind(rec.get("record_kind", "project")),
            "investment_approximate": bool((rec.get("total_investment") or {}).get("approximate")),
            "expected_sales_approximate": bool(
                (rec.get("expected_sales") or {}).get("approximate")),
            "facts": rec.get("facts_zh"), "source_quote": rec["source"],
        }, stats, "key_projects", existing)
        if project.id is None:
            project.milestones = []
        # one milestone of a kind per seeded project; the article's dates, never today's:
        # `planned` for what it announces, `actual` for what it reports done
        by_key = {m.kind: m for m in project.milestones}
        for ms in rec.get("milestones", []):
            kind = MilestoneKind(ms["kind"])
            precision = DatePrecision(ms["precision"])
            amount, currency = _money(ms.get("amount"))
            actual = _month(ms["actual"]) if ms.get("actual") else None
            values = {"planned_on": _month(ms["planned"]) if ms.get("planned") else None,
                      "precision": precision, "actual_on": actual,
                      "actual_precision": precision if actual else None, "amount": amount,
                      "currency": currency, "source_quote": ms["source"]}
            milestone = by_key.get(kind)
            if milestone is None:
                project.milestones.append(ProjectMilestone(kind=kind, **values))
                stats.count("milestones", "created")
            elif _assign(milestone, values):
                stats.count("milestones", "updated")


def load_services(stats: SeedStats, units: dict[str, Unit], directory: Path) -> None:
    existing = {s.code: s for s in db.session.scalars(select(Service))}
    for rec in read_seed("services.yaml", directory):
        unit = _unit(units, rec.get("unit"), f"service {rec['code']}")
        _upsert(Service, "code", rec["code"], {
            "name": rec["name_zh"], "name_en": rec.get("name_en"),
            "kind": ServiceKind(rec["kind"]),
            "location": ServiceLocation(rec["location"]) if rec.get("location") else None,
            "unit_id": unit.id if unit else None, "description": rec.get("description_zh"),
            "channels": list(rec.get("channels", [])),
            "eligible_groups": list(rec.get("eligible_groups", [])),
            "source_quote": rec["source"],
        }, stats, "services", existing)


def load_figures(stats: SeedStats, directory: Path) -> None:
    existing = {f.key: f for f in db.session.scalars(select(CampaignFigure))}
    for rec in read_seed("figures.yaml", directory):
        _upsert(CampaignFigure, "key", rec["key"], {
            "value": Decimal(str(rec["value"])), "unit": rec.get("unit"),
            "comparison": rec.get("comparison"), "label": rec["label_zh"],
            "label_en": rec.get("label_en"), "source_quote": rec["source"],
        }, stats, "figures", existing)


def seed_load(*, directory: Path = SEEDS_DIR, actor: object = "seed") -> SeedStats:
    """Load every seed file in one transaction (the caller commits); flush only."""
    stats = SeedStats()
    try:
        units = load_units(stats, directory)
        load_matters(stats, units, directory)
        load_projects(stats, units, directory)
        load_services(stats, units, directory)
        load_figures(stats, directory)
    except (KeyError, ValueError, TypeError) as exc:
        if isinstance(exc, SeedError):
            raise
        raise SeedError(f"malformed seed record: {exc!r}") from exc
    db.session.flush()
    if stats.changed:
        audit_record(actor=actor, action="seed.load",
                     after={"created": stats.created, "updated": stats.updated})
    return stats
