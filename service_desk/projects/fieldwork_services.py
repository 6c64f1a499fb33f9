"""Writes for field work on key projects: site visits and their difficulties, joint site
selection, the opening case. Keyword-only; each flushes, audits and raises FieldworkError;
the view or command commits once. Roles are checked by the caller (permissions.py)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..audit.services import audit_record
from ..base.calendar import add_working_days, is_working_day, today
from ..base.inputs import storable_int
from ..db import utcnow
from ..extensions import db
from ..units.models import Unit
from .fieldwork import (
    DifficultyStatus,
    OpeningCase,
    OpeningCaseItem,
    OpeningStatus,
    ProjectDifficulty,
    SelectionAnswer,
    SiteSelection,
    SiteSelectionAnswer,
    SiteVisit,
)
from .models import KeyProject, MilestoneKind, ProjectMilestone

# working days a unit has to answer, when the form leaves the deadline empty
DIFFICULTY_DAYS = 10
SITE_SELECTION_DAYS = 5
# 经发、建设、商务、自然资源和规划等部门联动选址 (seeds/units.yaml codes)
SITE_SELECTION_UNITS = ("economic-development-dept", "construction-bureau", "commerce-bureau",
                        "natural-resources-planning-dept")
# the park's "管家式" help desk (帮办中心) is not a unit of the seed; the approval bureau,
# which runs the one-stop approvals, works the case until one is added (first code found)
OPENING_DESK_UNITS = ("park-help-desk", "approval-bureau")
# 完工即开业: approvals usually needed to open after construction (既准入又准营); editable per case
OPENING_CHECKLIST = (
    ("竣工验收备案", "construction-bureau"),
    ("消防验收", "construction-bureau"),
    ("规划条件核实", "natural-resources-planning-dept"),
    ("不动产登记", "natural-resources-planning-dept"),
    ("营业执照及经营许可", "approval-bureau"),
)

VERSION_MESSAGE = _l("This form does not carry a version of this item: open the item again "
                     "and make your change there.")


class FieldworkError(ValueError):
    """A rule of field work was broken; ``field`` names the form field when there is one."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class StaleFieldwork(FieldworkError):
    """Someone else saved the item since the form was opened (the page answers 409)."""

    def __init__(self) -> None:
        super().__init__(_l("Someone else updated this item while you were editing. "
                            "Your changes were not saved; the current values are shown below."))


@dataclass
class DifficultyInput:
    description: str
    unit_id: int | None
    deadline: dt.date | None = None


def _text(value: str | None) -> str:
    return (value or "").strip()


def _check_version(current: int, expected: int | None) -> None:
    if expected is None or not storable_int(expected):
        raise FieldworkError(VERSION_MESSAGE, "version")
    if expected != current:
        raise StaleFieldwork()


def _flush_versioned() -> None:
    """Flush; a concurrent save of the same row (version moved under us) is stale."""
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleFieldwork() from None


def _unit(unit_id: int | None, field: str) -> Unit:
    unit = db.session.get(Unit, unit_id) if unit_id is not None and storable_int(unit_id) else None
    if unit is None or not unit.is_active:
        raise FieldworkError(_l("Choose the responsible unit."), field)
    return unit


def working_deadline(deadline: dt.date | None, *, days: int, field: str = "deadline",
                     start: dt.date | None = None) -> dt.date:
    """The deadline as given, or ``days`` working days after today (or ``start``).

    A given deadline must be a working day (调休 counted) and not in the past."""
    now = today()
    if deadline is None:
        return add_working_days(max(start or now, now), days)
    if deadline < now:
        raise FieldworkError(_l("The deadline cannot be in the past."), field)
    if not is_working_day(deadline):
        raise FieldworkError(_l("%(date)s is not a working day: choose a working day for the "
                                "deadline (the next one is %(next)s).", date=deadline.isoformat(),
                                next=add_working_days(deadline, 1).isoformat()), field)
    return deadline


def _difficulty_snapshot(d: ProjectDifficulty) -> dict:
    return {"project": d.project_id, "unit": d.unit_id, "deadline": d.deadline.isoformat(),
            "status": d.status.value, "description": d.description, "version": d.version}


# --- site visits and difficulties -------------------------------------------------------------

def site_visit_record(*, project: KeyProject, actor, visited_on: dt.date | None,
                      progress_seen: str, unit_ids: list[int],
                      difficulties: list[DifficultyInput]) -> SiteVisit:
    """Record a visit with the units present and each difficulty found (a tracked problem)."""
    progress_seen = _text(progress_seen)
    if visited_on is None:
        raise FieldworkError(_l("Enter the date of the visit."), "visited_on")
    if visited_on > today():
        raise FieldworkError(_l("The visit date cannot be in the future."), "visited_on")
    if not progress_seen:
        raise FieldworkError(_l("Describe the progress seen."), "progress_seen")
    units = [_unit(uid, "units") for uid in dict.fromkeys(unit_ids)]
    if not units:
        raise FieldworkError(_l("Choose at least one unit present."), "units")
    visit = SiteVisit(project_id=project.id, visited_on=visited_on, progress_seen=progress_seen,
                      created_by_user_id=getattr(actor, "id", None), units=units)
    db.session.add(visit)
    db.session.flush()
    for i, item in enumerate(difficulties):
        if not _text(item.description) and item.unit_id is None and item.deadline is None:
            continue  # an empty row of the form
        difficulty_add(project=project, actor=actor, description=item.description,
                       unit_id=item.unit_id, deadline=item.deadline, visit=visit,
                       field_prefix=f"difficulties-{i}-")
    audit_record(actor=actor, action="project.site_visit", obj_type="key_project", obj_id=project.id,
                 after={"visit": visit.id, "visited_on": visited_on.isoformat(),
                        "units": [u.code for u in units], "progress_seen": progress_seen})
    return visit


def difficulty_add(*, project: KeyProject, actor, description: str, unit_id: int | None,
                   deadline: dt.date | None, visit: SiteVisit | None = None,
                   field_prefix: str = "") -> ProjectDifficulty:
    description = _text(description)
    if not description:
        raise FieldworkError(_l("Describe the difficulty."), f"{field_prefix}description")
    unit = _unit(unit_id, f"{field_prefix}unit")
    due = working_deadline(deadline, days=DIFFICULTY_DAYS, field=f"{field_prefix}deadline")
    difficulty = ProjectDifficulty(
        project_id=project.id, visit_id=visit.id if visit else None, description=description,
        unit_id=unit.id, deadline=due, created_by_user_id=getattr(actor, "id", None))
    db.session.add(difficulty)
    db.session.flush()
    audit_record(actor=actor, action="project.difficulty.add", obj_type="project_difficulty",
                 obj_id=difficulty.id, after=_difficulty_snapshot(difficulty))
    return difficulty


def difficulty_close(*, difficulty: ProjectDifficulty, actor, note: str,
                     expected_version: int | None) -> ProjectDifficulty:
    """The responsible unit answers the difficulty and closes it with a note."""
    _check_version(difficulty.version, expected_version)
    note = _text(note)
    if not note:
        raise FieldworkError(_l("Say how the difficulty was solved: the note is required."), "note")
    if difficulty.status is DifficultyStatus.CLOSED:
        raise FieldworkError(_l("This difficulty is already closed."))
    before = _difficulty_snapshot(difficulty)
    difficulty.status = DifficultyStatus.CLOSED
    difficulty.closed_note, difficulty.closed_at = note, utcnow()
    difficulty.closed_by_user_id = getattr(actor, "id", None)
    _flush_versioned()
    audit_record(actor=actor, action="project.difficulty.close", obj_type="project_difficulty",
                 obj_id=difficulty.id, before=before,
                 after=_difficulty_snapshot(difficulty) | {"note": note})
    return difficulty


# --- joint site selection ---------------------------------------------------------------------

def site_selection_units() -> list[Unit]:
    """The departments that answer a joint site selection (those the seed has)."""
    units = db.session.scalars(select(Unit).where(Unit.code.in_(SITE_SELECTION_UNITS),
                                                  Unit.is_active)).all()
    order = {code: i for i, code in enumerate(SITE_SELECTION_UNITS)}
    return sorted(units, key=lambda u: order[u.code])


def site_selection_request(*, project: KeyProject, actor, deadline: dt.date | None,
                           note: str | None) -> SiteSelection:
    """One request, one pending answer per department."""
    units = site_selection_units()
    if not units:
        raise FieldworkError(_l("No department for joint site selection is set up."))
    due = working_deadline(deadline, days=SITE_SELECTION_DAYS)
    selection = SiteSelection(project_id=project.id, requested_on=today(), deadline=due,
                              note=_text(note) or None,
                              created_by_user_id=getattr(actor, "id", None),
                              answers=[SiteSelectionAnswer(unit_id=u.id) for u in units])
    db.session.add(selection)
    db.session.flush()
    audit_record(actor=actor, action="project.site_selection.request",
                 obj_type="project_site_selection", obj_id=selection.id,
                 after={"project": project.code, "deadline": due.isoformat(),
                        "units": [u.code for u in units], "note": selection.note})
    return selection


def site_selection_answer(*, answer: SiteSelectionAnswer, actor, verdict: SelectionAnswer | None,
                          note: str, expected_version: int | None) -> SiteSelectionAnswer:
    """A department answers once: agree, or the problem with the land (a note is required)."""
    _check_version(answer.version, expected_version)
    if answer.answer is not None:
        raise FieldworkError(_l("Your department has already answered this request."))
    if verdict is None:
        raise FieldworkError(_l("Choose agree or describe the problem with the land."), "answer")
    note = _text(note)
    if verdict is SelectionAnswer.PROBLEM and not note:
        raise FieldworkError(_l("Describe the problem with the land."), "note")
    answer.answer, answer.note = verdict, note or None
    answer.answered_at, answer.answered_by_user_id = utcnow(), getattr(actor, "id", None)
    _flush_versioned()
    audit_record(actor=actor, action="project.site_selection.answer",
                 obj_type="project_site_selection", obj_id=answer.selection_id,
                 after={"unit": answer.unit_id, "answer": verdict.value, "note": answer.note})
    return answer


# --- open on completion (完工即开业) -----------------------------------------------------------

def _completion_day(project: KeyProject) -> dt.date | None:
    return db.session.scalar(select(ProjectMilestone.actual_on).where(
        ProjectMilestone.project_id == project.id,
        ProjectMilestone.kind == MilestoneKind.COMPLETION,
        ProjectMilestone.actual_on.is_not(None)).order_by(ProjectMilestone.actual_on.desc()))


def _units_by_code(codes) -> dict[str, Unit]:
    return {u.code: u for u in db.session.scalars(select(Unit).where(Unit.code.in_(set(codes))))}


def opening_case_for(project_id: int) -> OpeningCase | None:
    return db.session.scalar(select(OpeningCase).where(OpeningCase.project_id == project_id)
                             .options(selectinload(OpeningCase.items)))


def opening_case_start(project: KeyProject, *, actor=None) -> OpeningCase | None:
    """Start the one-stop opening case once the completion milestone has an actual date.

    Idempotent: a project has one case; calling again returns it (its target follows a
    corrected completion date while it is open). None when there is no completion date yet.
    pA's ``milestone_set`` calls this after flushing the milestone."""
    completed_on = _completion_day(project)
    existing = opening_case_for(project.id)
    if completed_on is None:
        return existing
    if existing is not None:
        if existing.status is OpeningStatus.OPEN and existing.target_opening_on != completed_on:
            before = existing.target_opening_on.isoformat()
            existing.target_opening_on, existing.updated_at = completed_on, utcnow()
            db.session.flush()
            audit_record(actor=actor or "system", action="project.opening_case.target",
                         obj_type="project_opening_case", obj_id=existing.id,
                         before={"target_opening_on": before},
                         after={"target_opening_on": completed_on.isoformat()})
        return existing
    units = _units_by_code([c for _n, c in OPENING_CHECKLIST] + list(OPENING_DESK_UNITS))
    desk = next((units[c] for c in OPENING_DESK_UNITS if c in units), None)
    case = OpeningCase(project_id=project.id, unit_id=desk.id if desk else None,
                       target_opening_on=completed_on,
                       items=[OpeningCaseItem(name=name, unit_id=units[code].id if code in units
                                              else None) for name, code in OPENING_CHECKLIST])
    db.session.add(case)
    db.session.flush()
    audit_record(actor=actor or "system", action="project.opening_case.start",
                 obj_type="project_opening_case", obj_id=case.id,
                 after={"project": project.code, "target_opening_on": completed_on.isoformat(),
                        "desk": desk.code if desk else None,
                        "items": [n for n, _c in OPENING_CHECKLIST]})
    return case


def _case_touched(case: OpeningCase) -> None:
    """Every checklist change updates the case row, so its version moves (stale → 409)."""
    case.updated_at = utcnow()
    pending = [i for i in case.items if i.done_at is None]
    if case.items and not pending:
        case.status, case.done_at = OpeningStatus.DONE, case.done_at or utcnow()
    else:
        case.status, case.done_at = OpeningStatus.OPEN, None
    _flush_versioned()


def opening_item_add(*, case: OpeningCase, actor, name: str, unit_id: int | None,
                     expected_version: int | None) -> OpeningCaseItem:
    _check_version(case.version, expected_version)
    name = _text(name)
    if not name:
        raise FieldworkError(_l("Name the approval."), "name")
    if len(name) > 200:
        raise FieldworkError(_l("Keep the name under 200 characters."), "name")
    unit = _unit(unit_id, "unit") if unit_id is not None else None
    item = OpeningCaseItem(name=name, unit_id=unit.id if unit else None)
    case.items.append(item)
    _case_touched(case)
    audit_record(actor=actor, action="project.opening_case.item_add",
                 obj_type="project_opening_case", obj_id=case.id,
                 after={"item": item.id, "name": name, "unit": unit.code if unit else None})
    return item


def opening_item_remove(*, case: OpeningCase, item: OpeningCaseItem, actor,
                        expected_version: int | None) -> None:
    _check_version(case.version, expected_version)
    if item.done_at is not None:
        raise FieldworkError(_l("A done approval stays on the checklist."))
    case.items.remove(item)
    _case_touched(case)
    audit_record(actor=actor, action="project.opening_case.item_remove",
                 obj_type="project_opening_case", obj_id=case.id,
                 before={"item": item.id, "name": item.name})


def opening_item_done(*, case: OpeningCase, item: OpeningCaseItem, actor, note: str,
                      expected_version: int | None) -> OpeningCaseItem:
    _check_version(case.version, expected_version)
    note = _text(note)
    if not note:
        raise FieldworkError(_l("Say what was approved: the note is required."), "note")
    if item.done_at is not None:
        raise FieldworkError(_l("This approval is already done."))
    item.done_at, item.done_by_user_id, item.note = utcnow(), getattr(actor, "id", None), note
    _case_touched(case)
    audit_record(actor=actor, action="project.opening_case.item_done",
                 obj_type="project_opening_case", obj_id=case.id,
                 after={"item": item.id, "name": item.name, "note": note,
                        "case_status": case.status.value})
    return item
