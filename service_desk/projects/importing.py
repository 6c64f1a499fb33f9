"""Import rules for the key-projects sheet: check every row, then apply all or nothing.

`import_plan` reads only (the dry run); `import_apply` re-checks and writes, flushing but never
committing. Rows are matched to projects by 项目编号 (code). As in the matters ledger, an empty
cell keeps the stored value, and a row the file does not change is not touched: no new
version, no audit, so importing the export again changes nothing. Changes are written through
projects.services (the same checks and audit entries as the project page), and the import as
a whole gets one more audit entry naming the file and the projects it created and changed.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..audit.services import audit_record
from ..base.calendar import today
from ..extensions import db
from ..units.lookup import UnitLookup
from ..units.models import Unit
from .models import DatePrecision, KeyProject, MilestoneKind, ProjectMilestone, TaskTeamMember
from .services import (
    AUDIT_TYPE,
    ProjectError,
    StaleProject,
    milestone_set,
    project_update,
    team_member_add,
    team_member_remove,
)
from .sheet import (
    HEADER_OF,
    MAX_LENGTH,
    MILESTONE_WORDS,
    Bad,
    actual_key,
    first_milestones,
    parse_category,
    parse_currency,
    parse_date,
    parse_kind,
    parse_origin,
    parse_stage,
    parse_team,
    parse_wan,
    parse_yes_no,
    planned_key,
    text_of,
)

Report = Callable[[str, int, int], None]
# sheet key → KeyProject attribute, for the plain fields
PROJECT_FIELDS = {
    "name": "name", "record_kind": "record_kind", "investor": "investor", "origin": "origin",
    "category": "category", "total_investment": "total_investment",
    "currency": "total_investment_currency", "approximate": "investment_approximate",
    "unit": "owner_unit", "leader": "leader", "stage": "stage",
}
Member = tuple[Unit, str | None, str | None]  # unit, person, duty


@dataclass(frozen=True)
class RowError:
    """One bad cell: the sheet's row number, the column header, and why."""

    row: int
    column: str
    reason: str


class ImportRejected(ValueError):
    """The file has bad rows; nothing was stored."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} bad cells")
        self.errors = errors


@dataclass
class ProjectRow:
    """A row's typed values; a key left out means "the cell is empty: keep what is stored"."""

    row: int
    code: str
    values: dict[str, Any] = field(default_factory=dict)
    team: list[Member] | None = None
    # kind → {"planned": (date, precision), "actual": …, "amount": …, "currency": …}
    milestones: dict[MilestoneKind, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Change:
    """A project the file creates or updates: each changed field as (before, after)."""

    row: ProjectRow
    project: KeyProject | None
    fields: dict[str, tuple[Any, Any]]
    team: tuple[list[Member], list[Member]] | None
    milestones: dict[MilestoneKind, dict[str, tuple[Any, Any]]]
    created: bool = False

    @property
    def code(self) -> str:
        return self.row.code

    def described(self) -> list[str]:
        """"header: before → after" for each change, for people to read."""
        out = [f"{HEADER_OF[k]}: {_shown(b)} → {_shown(a)}" for k, (b, a) in self.fields.items()]
        if self.team is not None:
            out.append(f"{HEADER_OF['team']}: {_shown(self.team[0])} → {_shown(self.team[1])}")
        for kind, fields in self.milestones.items():
            word = MILESTONE_WORDS[kind]
            out += [f"{word} {k}: {_shown(b)} → {_shown(a)}" for k, (b, a) in fields.items()]
        return out


@dataclass
class ImportPlan:
    errors: list[RowError] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0

    @property
    def created(self) -> list[Change]:
        return [c for c in self.changes if c.created]

    @property
    def updated(self) -> list[Change]:
        return [c for c in self.changes if not c.created]


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _shown(value: Any) -> str:
    value = _json(value)
    if isinstance(value, list):
        return "；".join("：".join(p for p in member if p) for member in value)
    return "" if value is None else str(value)


def _quiet(phase: str, done: int, total: int) -> None:
    return None


# ---- typing the cells ------------------------------------------------------------------------

def _clean_row(raw: dict[str, Any], units: UnitLookup, errors: list[RowError],
               now: dt.date) -> ProjectRow | None:
    """Type every cell of a row, recording each bad one; None when any is bad."""
    number = raw["row"]
    before = len(errors)

    def bad(key: str, reason: str) -> None:
        errors.append(RowError(number, HEADER_OF[key], reason))

    def cell(key: str, parse) -> Any:
        try:
            return parse(raw.get(key))
        except Bad as exc:
            bad(key, str(exc))
            return None

    texts = {key: text_of(raw.get(key)) for key in MAX_LENGTH}
    for key, limit in MAX_LENGTH.items():
        if len(texts[key]) > limit:
            bad(key, _("Too long: at most %(n)d characters.", n=limit))
    if not texts["code"]:
        bad("code", _("Missing code: every row needs its 项目编号."))
    if not texts["name"]:
        bad("name", _("Missing name: every row needs its 项目名称."))
    row = ProjectRow(row=number, code=texts["code"])
    typed = {
        "name": texts["name"] or None, "investor": texts["investor"] or None,
        "leader": texts["leader"] or None,
        "record_kind": cell("record_kind", parse_kind), "origin": cell("origin", parse_origin),
        "category": cell("category", parse_category), "stage": cell("stage", parse_stage),
        "total_investment": cell("total_investment", parse_wan),
        "currency": cell("currency", parse_currency),
        "approximate": cell("approximate", parse_yes_no),
    }
    unit_text = text_of(raw.get("unit"))
    if unit_text:
        typed["unit"] = cell("unit", lambda _v: units.find(unit_text))
    row.values = {k: v for k, v in typed.items() if v is not None}
    team = cell("team", parse_team)
    if team is not None:
        try:
            row.team = [(units.find(unit), name, duty) for unit, name, duty in team]
        except Bad as exc:
            bad("team", str(exc))
    for kind in MILESTONE_WORDS:
        cells = {"planned": cell(planned_key(kind), parse_date),
                 "actual": cell(actual_key(kind), parse_date)}
        if kind is MilestoneKind.FUNDS_ARRIVAL:
            cells["amount"] = cell("funds_amount", parse_wan)
            cells["currency"] = cell("funds_currency", parse_currency)
        actual = cells["actual"]
        if actual is not None and actual[0] > now:
            bad(actual_key(kind), _("An actual date cannot be later than today."))
        cells = {k: v for k, v in cells.items() if v is not None}
        if cells:
            row.milestones[kind] = cells
    return row if len(errors) == before else None


# ---- comparing with what is stored -----------------------------------------------------------

def _existing(codes: list[str]) -> dict[str, KeyProject]:
    if not codes:
        return {}
    return {p.code: p for p in db.session.scalars(
        select(KeyProject).where(KeyProject.code.in_(codes)).options(
            selectinload(KeyProject.owner_unit), selectinload(KeyProject.milestones),
            selectinload(KeyProject.team).selectinload(TaskTeamMember.unit)))}


def _same(before: Any, after: Any) -> bool:
    if isinstance(before, Decimal) or isinstance(after, Decimal):
        return before is not None and after is not None and Decimal(before) == Decimal(after)
    return before == after


def _project_fields(row: ProjectRow, project: KeyProject | None) -> dict[str, tuple[Any, Any]]:
    fields = {}
    for key, after in row.values.items():
        before = getattr(project, PROJECT_FIELDS[key]) if project is not None else None
        if not _same(before, after):
            fields[key] = (before, after)
    return fields


def _team_change(row: ProjectRow, project: KeyProject | None
                 ) -> tuple[list[Member], list[Member]] | None:
    if row.team is None:
        return None
    before = [(m.unit, m.name, m.duty) for m in project.team] if project is not None else []
    key = lambda members: [(u.id, n, d) for u, n, d in members]
    return None if key(before) == key(row.team) else (before, row.team)


def _milestone_fields(cells: dict[str, Any], milestone: ProjectMilestone | None
                      ) -> dict[str, tuple[Any, Any]]:
    wanted: dict[str, Any] = {}
    if "planned" in cells:
        wanted["planned_on"], wanted["precision"] = cells["planned"]
    if "actual" in cells:
        wanted["actual_on"], wanted["actual_precision"] = cells["actual"]
    for key in ("amount", "currency"):
        if key in cells:
            wanted[key] = cells[key]
    if milestone is None and "precision" not in wanted:
        wanted["precision"] = wanted.get("actual_precision", DatePrecision.DAY)
    return {k: (getattr(milestone, k) if milestone else None, v) for k, v in wanted.items()
            if milestone is None or not _same(getattr(milestone, k), v)}


def _needs(row: ProjectRow, project: KeyProject | None, errors: list[RowError]) -> None:
    """An amount needs its currency, from the file or as stored."""
    stored = project.total_investment_currency if project is not None else None
    if "total_investment" in row.values and not (row.values.get("currency") or stored):
        errors.append(RowError(row.row, HEADER_OF["currency"],
                               _("Give the currency of the total investment.")))
    funds = row.milestones.get(MilestoneKind.FUNDS_ARRIVAL, {})
    shown = first_milestones(project).get(MilestoneKind.FUNDS_ARRIVAL) if project else None
    if "amount" in funds and not (funds.get("currency") or (shown and shown.currency)):
        errors.append(RowError(row.row, HEADER_OF["funds_currency"],
                               _("Give the currency of the funds that arrived.")))


def import_plan(rows: Iterable[dict[str, Any]], *, report: Report = _quiet) -> ImportPlan:
    """The dry run: every bad cell, and what applying the file would create and update.

    ``report(phase, done, total)``: how far it got ("check"), for a command's progress bar."""
    rows = list(rows)
    plan = ImportPlan()
    units = UnitLookup(error=Bad)
    now = today()
    cleaned = []
    for done, raw in enumerate(rows, 1):
        cleaned.append(_clean_row(raw, units, plan.errors, now))
        report("check", done, 2 * len(rows))
    counts = Counter(text_of(raw.get("code")) for raw in rows)
    for raw in rows:
        code = text_of(raw.get("code"))
        if code and counts[code] > 1:
            others = [str(r["row"]) for r in rows
                      if text_of(r.get("code")) == code and r["row"] != raw["row"]]
            plan.errors.append(RowError(raw["row"], HEADER_OF["code"], _(
                "Duplicate code %(code)s: also on row %(rows)s.", code=code,
                rows=", ".join(others))))
    good = [r for r in cleaned if r is not None and counts[r.code] == 1]
    existing = _existing([r.code for r in good])
    for done, row in enumerate(good, 1):
        report("check", len(rows) + done, 2 * len(rows))
        project = existing.get(row.code)
        before = len(plan.errors)
        _needs(row, project, plan.errors)
        if len(plan.errors) > before:
            continue
        shown = first_milestones(project) if project is not None else {}
        for kind, cells in row.milestones.items():
            if kind not in shown and "planned" not in cells and "actual" not in cells:
                plan.errors.append(RowError(row.row, HEADER_OF[planned_key(kind)], _(
                    "A new milestone needs a planned or an actual date.")))
        if len(plan.errors) > before:
            continue
        milestones = {kind: fields for kind, cells in row.milestones.items()
                      if (fields := _milestone_fields(cells, shown.get(kind)))}
        fields = _project_fields(row, project)
        team = _team_change(row, project)
        if project is not None and not (fields or team or milestones):
            plan.unchanged += 1
            continue
        plan.changes.append(Change(row=row, project=project, fields=fields, team=team,
                                   milestones=milestones, created=project is None))
    plan.errors.sort(key=lambda e: e.row)
    return plan


# ---- applying --------------------------------------------------------------------------------

def _json(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Unit):
        return value.code
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [[u.code, n, d] for u, n, d in value]
    return value


def _apply(project: KeyProject, change: Change, actor: Any) -> None:
    """Write one project's change through the ledger's services, which check and audit it."""
    if change.fields:
        project_update(project, actor=actor, version=project.version, changes={
            ("owner_unit_id" if key == "unit" else PROJECT_FIELDS[key]):
                (after.id if key == "unit" else after)
            for key, (_before, after) in change.fields.items()})
    if change.team is not None:
        wanted = [(unit.id, name, duty) for unit, name, duty in change.team[1]]
        for member in list(project.team):
            key = (member.unit_id, member.name, member.duty)
            if key in wanted:
                wanted.remove(key)  # kept as it is (with its account, if any)
            else:
                team_member_remove(project, actor=actor, member=member)
        for unit_id, name, duty in wanted:
            team_member_add(project, actor=actor, unit_id=unit_id, name=name, duty=duty)
    shown = first_milestones(project) if not change.created else {}
    for kind, fields in change.milestones.items():
        milestone = shown.get(kind)
        values = {key: getattr(milestone, key) if milestone is not None else None
                  for key in ("planned_on", "precision", "actual_on", "actual_precision",
                              "amount", "currency", "note")}
        values |= {key: after for key, (_before, after) in fields.items()}
        milestone_set(project, actor=actor, kind=kind, milestone=milestone, **values)


def import_apply(*, rows: Iterable[dict[str, Any]], actor: Any, source: str | None = None,
                 report: Report = _quiet) -> ImportResult:
    """Check the rows again and apply them all, or raise ImportRejected and change nothing
    (the caller rolls back: a rule a service refuses mid-way is reported the same way).

    Each change goes through projects.services, so it is audited like an edit on the project
    page, and a completion date starts the opening case (完工即开业). ``report``: as for
    import_plan, then ("apply", done, total)."""
    plan = import_plan(rows, report=report)
    if plan.errors:
        raise ImportRejected(plan.errors)
    errors: list[RowError] = []
    for done, change in enumerate(plan.changes, 1):
        report("apply", done, len(plan.changes))
        try:
            if change.created:
                change.project = _create(change, actor)
            _apply(change.project, change, actor)
        except StaleProject:
            raise
        except ProjectError as exc:
            errors.append(RowError(change.row.row, _column_of(exc.field), str(exc.message)))
    if errors:
        raise ImportRejected(errors)
    result = ImportResult(created=len(plan.created), updated=len(plan.updated),
                          unchanged=plan.unchanged)
    if plan.changes:
        audit_record(actor=actor, action="projects.import", obj_type="key_projects", obj_id=None,
                     after={"source": source, "created": [c.code for c in plan.created],
                            "updated": [c.code for c in plan.updated],
                            "unchanged": result.unchanged})
    db.session.flush()
    return result


def _create(change: Change, actor: Any) -> KeyProject:
    project = KeyProject(code=change.code, name=change.row.values["name"])
    project.milestones, project.team = [], []
    db.session.add(project)
    db.session.flush()
    audit_record(actor=actor, action="project.create", obj_type=AUDIT_TYPE, obj_id=project.id,
                 after={"code": project.code, "name": project.name, "version": project.version})
    change.fields.pop("name", None)
    return project


_FIELD_KEYS = {attr: key for key, attr in PROJECT_FIELDS.items()} | {
    "owner_unit_id": "unit", "total_investment_currency": "currency"}


def _column_of(field_name: str | None) -> str:
    """The sheet's header for a service's field name (the milestone fields: the kind's)."""
    key = _FIELD_KEYS.get(field_name or "")
    if key is None and field_name in ("amount", "currency"):
        key = "funds_amount" if field_name == "amount" else "funds_currency"
    return HEADER_OF.get(key or "code", HEADER_OF["code"])
