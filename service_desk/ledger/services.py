"""Import rules for the ledger spreadsheet: check every row, then apply all or nothing.

`import_plan` reads only (the dry run); `import_apply` re-checks and writes, flushing but
never committing. Rows are matched to items by 编号 (number). An empty cell keeps the stored
value; a new 重点问题 title creates a key issue numbered after the highest one. A row the file
does not change is not touched: no new version, no history, no audit.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..audit.services import audit_record
from ..db import utcnow
from ..extensions import db
from ..matters.models import KeyIssue, Matter, MatterStatus, MatterUpdate, RecordOrigin, UpdateKind
from ..matters.services import MatterError, changes_since, completion_date, status_progress
from ..units.models import Unit
from .cells import MAX_LENGTH, Row, RowError, Units, clean_row, text_of
from .layout import CO_UNIT_JOINER, COLUMNS, HEADER_OF, STATUS_WORDS

__all__ = [
    "MAX_LENGTH",
    "Change",
    "ImportPlan",
    "ImportRejected",
    "ImportResult",
    "RowError",
    "import_apply",
    "import_plan",
    "show",
    "validate_rows",
]

CHUNK = 500  # rows per IN (...) query: a bounded number of statements at any file size
_ORDER = {column.key: index for index, column in enumerate(COLUMNS)}


class ImportRejected(ValueError):
    """The file has bad rows; nothing was stored."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} bad cells")
        self.errors = errors


@dataclass
class Change:
    """An item the file creates or updates, with each changed field as (before, after)."""

    row: Row
    matter: Matter | None
    fields: dict[str, tuple[Any, Any]]
    note: str | None  # 最新进展 when it is not yet in the item's history
    created: bool = False

    @property
    def number(self) -> str:
        return self.row.number

    @property
    def title(self) -> str:
        return self.row.title

    def described(self) -> list[tuple[str, str, str]]:
        """(column header, before, after) for people to read."""
        fields = sorted(self.fields.items(), key=lambda item: _ORDER[item[0]])
        shown = [(HEADER_OF[k], show(b), show(a)) for k, (b, a) in fields]
        if self.note:
            shown.append((HEADER_OF["latest_note"], "", self.note))
        return shown


class ImportStale(ValueError):
    """Items of the file changed after it was checked: nothing was applied. ``changed`` holds
    each such item's number and what was recorded on it since the check."""

    def __init__(self, changed: list[tuple[str, list[MatterUpdate]]]) -> None:
        super().__init__(", ".join(number for number, _updates in changed))
        self.changed = changed


@dataclass
class ImportPlan:
    errors: list[RowError] = field(default_factory=list)
    # every item the file names, with the version it had when planned (0: not there yet)
    versions: dict[str, int] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    new_key_issues: list[str] = field(default_factory=list)
    key_issues: dict[str, KeyIssue] = field(default_factory=dict)

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
    key_issues_created: int


def show(value: Any) -> str:
    """A stored value as the spreadsheet writes it."""
    if value is None:
        return ""
    if isinstance(value, Unit):
        return value.name
    if isinstance(value, list):
        return CO_UNIT_JOINER.join(u.name for u in value)
    if isinstance(value, MatterStatus):
        return STATUS_WORDS[value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _json(value: Any) -> Any:
    """A value for the audit record: codes, ISO dates, enum values."""
    if isinstance(value, Unit):
        return value.code
    if isinstance(value, list):
        return sorted(u.code for u in value)
    if isinstance(value, MatterStatus):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# ---- planning --------------------------------------------------------------------------------

def _chunks(items: list) -> Iterator[list]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _existing(numbers: list[str]) -> dict[str, Matter]:
    found: dict[str, Matter] = {}
    for chunk in _chunks(numbers):
        for matter in db.session.scalars(
            select(Matter).where(Matter.number.in_(chunk))
            .options(joinedload(Matter.lead_unit), joinedload(Matter.key_issue),
                     selectinload(Matter.co_units))
        ):
            found[matter.number] = matter
    return found


def _notes_in_history(pairs: list[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which (matter id, note) pairs are already in the items' history."""
    seen: set[tuple[int, str]] = set()
    for chunk in _chunks(pairs):
        ids, notes = {p[0] for p in chunk}, {p[1] for p in chunk}
        rows = db.session.execute(select(MatterUpdate.matter_id, MatterUpdate.note)
                                  .where(MatterUpdate.matter_id.in_(ids),
                                         MatterUpdate.note.in_(notes)))
        seen.update((r.matter_id, r.note) for r in rows)
    return seen


def _target_status(row: Row, matter: Matter | None,
                   errors: list[RowError]) -> tuple[MatterStatus, int] | None:
    """The status and progress the row asks for, by the ledger's one rule (matters.services)."""
    current = (matter.status, matter.progress) if matter else (MatterStatus.NOT_STARTED, 0)
    try:
        return status_progress(status_now=current[0], progress_now=current[1],
                               status=row.status, progress=row.progress)
    except MatterError as exc:
        errors.append(RowError(row.row, HEADER_OF[exc.field], str(exc.message)))
        return None


def _fields(row: Row, matter: Matter | None, status: MatterStatus,
            progress: int) -> dict[str, tuple[Any, Any]]:
    """Changed fields as (before, after); for a new item every given value, before None."""
    wanted: dict[str, Any] = {"title": row.title}
    if row.key_issue is not None:
        wanted["key_issue"] = row.key_issue
    for key in ("lead_unit", "responsible_person", "deadline"):
        if getattr(row, key) is not None:
            wanted[key] = getattr(row, key)
    if row.co_units is not None:
        wanted["co_units"] = sorted(row.co_units, key=lambda u: u.id)
    wanted |= {"status": status, "progress": progress}
    if matter is None:
        return {key: (None, value) for key, value in wanted.items()}
    stored = {
        "title": matter.title,
        "key_issue": matter.key_issue.title.strip() if matter.key_issue else None,
        "lead_unit": matter.lead_unit, "responsible_person": matter.responsible_person,
        "deadline": matter.deadline, "co_units": sorted(matter.co_units, key=lambda u: u.id),
        "status": matter.status, "progress": matter.progress,
    }
    return {key: (stored[key], value) for key, value in wanted.items() if stored[key] != value}


Report = Callable[[str, int, int], None]


def _quiet(phase: str, done: int, total: int) -> None:
    return None


def import_plan(rows: Iterable[dict[str, Any]], *, report: Report = _quiet) -> ImportPlan:
    """The dry run: every bad cell, and what applying the file would create and update.

    ``report(phase, done, total)``: how far it got ("check"), for a command's progress bar."""
    rows = list(rows)
    plan = ImportPlan()
    units = Units()
    cleaned = []
    for done, raw in enumerate(rows, 1):
        cleaned.append(clean_row(raw, units, plan.errors))
        report("check", done, 2 * len(rows))

    counts = Counter(text_of(raw.get("number")) for raw in rows)
    for raw in rows:
        number = text_of(raw.get("number"))
        if number and counts[number] > 1:
            others = [str(r["row"]) for r in rows
                      if text_of(r.get("number")) == number and r["row"] != raw["row"]]
            plan.errors.append(RowError(raw["row"], HEADER_OF["number"], _(
                "Duplicate number %(number)s: also on row %(rows)s.", number=number,
                rows=", ".join(others))))
    good = [r for r in cleaned if r is not None and counts[r.number] == 1]

    existing = _existing([r.number for r in good])
    in_history = _notes_in_history([(existing[r.number].id, r.latest_note) for r in good
                                    if r.number in existing and r.latest_note])
    for issue in db.session.scalars(select(KeyIssue).order_by(KeyIssue.number)):
        plan.key_issues.setdefault(issue.title.strip(), issue)

    plan.versions = {r.number: (existing[r.number].version if r.number in existing else 0)
                     for r in good}
    for done, row in enumerate(good, 1):
        report("check", len(rows) + done, 2 * len(rows))
        matter = existing.get(row.number)
        if matter is None and row.lead_unit is None:
            plan.errors.append(RowError(row.row, HEADER_OF["lead_unit"],
                                        _("A new item needs a lead unit.")))
            continue
        target = _target_status(row, matter, plan.errors)
        if target is None:
            continue
        fields = _fields(row, matter, *target)
        note = row.latest_note
        if note and matter is not None and (matter.id, note) in in_history:
            note = None
        if matter is not None and not fields and note is None:
            plan.unchanged += 1
            continue
        plan.changes.append(Change(row=row, matter=matter, fields=fields, note=note,
                                   created=matter is None))
        title = fields.get("key_issue", (None, None))[1]
        if title and title not in plan.key_issues and title not in plan.new_key_issues:
            plan.new_key_issues.append(title)
    plan.errors.sort(key=lambda e: e.row)
    return plan


def validate_rows(rows: Iterable[dict[str, Any]]) -> list[RowError]:
    """Every bad cell of the file, in row order; an empty list means the file can be applied."""
    return import_plan(rows).errors


# ---- applying --------------------------------------------------------------------------------

def _new_key_issues(plan: ImportPlan, actor: Any) -> None:
    """Number new key issues after the highest existing one, in the order the file names them."""
    if not plan.new_key_issues:
        return
    number = db.session.scalar(select(func.max(KeyIssue.number))) or 0
    for title in plan.new_key_issues:
        number += 1
        issue = KeyIssue(number=number, title=title)
        db.session.add(issue)
        plan.key_issues[title] = issue
        audit_record(actor=actor, action="key_issue.create", obj_type="key_issue", obj_id=number,
                     after={"number": number, "title": title})
    db.session.flush()


def _assign(matter: Matter, change: Change, issues: dict[str, KeyIssue]) -> None:
    for key, (_before, after) in change.fields.items():
        if key == "key_issue":
            matter.key_issue_id = issues[after].id
        elif key == "lead_unit":
            matter.lead_unit_id = after.id
        elif key == "co_units":
            matter.co_units = list(after)
        elif key == "deadline":
            matter.deadline = after
            if matter.original_deadline is None:  # the first deadline promised; never moved
                matter.original_deadline = after
        else:
            setattr(matter, key, after)


def _changed_since(checked: dict[str, int], plan: ImportPlan) -> list[tuple[str, list]]:
    """The items whose version moved between the check and now, with what was recorded."""
    numbers = sorted(n for n in set(checked) | set(plan.versions)
                     if checked.get(n) != plan.versions.get(n))
    matters = _existing(numbers) if numbers else {}
    return [(n, changes_since(matters[n].id, checked.get(n) or 0) if n in matters else [])
            for n in numbers]


def import_apply(*, rows: Iterable[dict[str, Any]], actor: Any, source: str | None = None,
                 checked: dict[str, int] | None = None,
                 report: Report = _quiet) -> ImportResult:
    """Check the rows again and apply them all, or raise ImportRejected and change nothing.

    ``checked``: the versions the person saw on the check page (``ImportPlan.versions``).
    When any item changed since, the file would overwrite work nobody reviewed: raise
    ImportStale and change nothing. (The command line checks and applies in one go.)
    ``report``: as for import_plan, then ("apply", done, total)."""
    plan = import_plan(rows, report=report)
    if plan.errors:
        raise ImportRejected(plan.errors)
    if checked is not None:
        changed = _changed_since(checked, plan)
        if changed:
            raise ImportStale(changed)
    _new_key_issues(plan, actor)
    before: list[tuple[MatterStatus | None, int | None, int | None]] = []
    steps = 2 * len(plan.changes)
    for done, change in enumerate(plan.changes, 1):
        report("apply", done, steps)
        if change.created:
            change.matter = Matter(number=change.number, title=change.title,
                                   origin=RecordOrigin.IMPORT, co_units=[])
            db.session.add(change.matter)
            before.append((None, None, None))
        else:
            m = change.matter
            before.append((m.status, m.progress, m.version))
        matter = change.matter
        _assign(matter, change, plan.key_issues)
        matter.completed_on = completion_date(status_before=before[-1][0],
                                              status_after=matter.status,
                                              completed_on=matter.completed_on)
        matter.updated_at = utcnow()  # also bumps the version when only the note is new
    db.session.flush()  # a concurrent save raises StaleDataError here: nothing is applied

    for done, (change, (status_before, progress_before, version_before)) in enumerate(
            zip(plan.changes, before, strict=True), len(plan.changes) + 1):
        report("apply", done, steps)
        matter = change.matter
        summary = "；".join(f"{h}：{b} → {a}" for h, b, a in change.described()
                           if h != HEADER_OF["latest_note"])
        note = change.note or (_("Created by ledger import.") if change.created
                               else _("Ledger import: %(changes)s", changes=summary))
        db.session.add(MatterUpdate(
            matter_id=matter.id, author_id=getattr(actor, "id", None),
            unit_id=getattr(actor, "unit_id", None), status_before=status_before,
            status_after=matter.status, progress_before=progress_before,
            progress_after=matter.progress, note=note, kind=UpdateKind.IMPORT,
            matter_version=matter.version,
            # the file's own 最新进展 is a person's words; the change log is ours
            is_generated=not change.note,
        ))
        after = {k: _json(a) for k, (_b, a) in change.fields.items()}
        audit_record(
            actor=actor, action="matter.import", obj_type="matter", obj_id=matter.number,
            before=None if change.created else (
                {k: _json(b) for k, (b, _a) in change.fields.items()}
                | {"version": version_before}),
            after=after | {"version": matter.version}
            | ({"latest_note": change.note} if change.note else {}),
        )
    result = ImportResult(created=len(plan.created), updated=len(plan.updated),
                          unchanged=plan.unchanged, key_issues_created=len(plan.new_key_issues))
    if plan.changes:
        audit_record(actor=actor, action="ledger.import", obj_type="ledger", obj_id=None,
                     after={"source": source, "created": result.created,
                            "updated": result.updated, "unchanged": result.unchanged,
                            "key_issues_created": plan.new_key_issues})
    db.session.flush()
    return result
