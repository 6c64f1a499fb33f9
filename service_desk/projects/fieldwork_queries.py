"""Reads for field work: a project's visits, difficulties, site selections and opening case;
what waits on a unit; a leader's open difficulties by unit; what is late for the supervisors."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..base.calendar import local_day
from ..base.inputs import storable_int
from ..extensions import db
from ..units.models import Unit
from .fieldwork import (
    DifficultyStatus,
    OpeningCase,
    OpeningCaseItem,
    ProjectDifficulty,
    SiteSelection,
    SiteSelectionAnswer,
    SiteVisit,
)
from .fieldwork_services import opening_case_for
from .models import KeyProject


def is_late(difficulty: ProjectDifficulty, today: dt.date) -> bool:
    """Open past its deadline (the deadline day itself is still in time)."""
    return difficulty.status is DifficultyStatus.OPEN and difficulty.deadline < today


def answer_is_late(answer: SiteSelectionAnswer, deadline: dt.date, today: dt.date) -> bool:
    """Pending past the deadline, or answered after it (late answers stay visible)."""
    if answer.answered_at is None:
        return deadline < today
    return local_day(answer.answered_at) > deadline


@dataclass
class ProjectFieldwork:
    visits: list[SiteVisit]
    difficulties: list[ProjectDifficulty]  # open first, then closed; oldest deadline first
    selections: list[SiteSelection]
    opening_case: OpeningCase | None


def project_fieldwork(project_id: int) -> ProjectFieldwork:
    visits = db.session.scalars(
        select(SiteVisit).where(SiteVisit.project_id == project_id)
        .options(selectinload(SiteVisit.units), joinedload(SiteVisit.created_by))
        .order_by(SiteVisit.visited_on.desc(), SiteVisit.id.desc())).unique().all()
    difficulties = db.session.scalars(
        select(ProjectDifficulty).where(ProjectDifficulty.project_id == project_id)
        .options(joinedload(ProjectDifficulty.unit))
        .order_by(ProjectDifficulty.status, ProjectDifficulty.deadline,
                  ProjectDifficulty.id)).all()
    selections = db.session.scalars(
        select(SiteSelection).where(SiteSelection.project_id == project_id)
        .options(selectinload(SiteSelection.answers).joinedload(SiteSelectionAnswer.unit))
        .order_by(SiteSelection.id.desc())).all()
    case = opening_case_for(project_id)
    if case is not None:
        db.session.scalars(select(OpeningCaseItem).where(OpeningCaseItem.case_id == case.id)
                           .options(joinedload(OpeningCaseItem.unit))).all()
    return ProjectFieldwork(list(visits), list(difficulties), list(selections), case)


def difficulty_get(difficulty_id: int) -> ProjectDifficulty | None:
    if not storable_int(difficulty_id):  # a URL's number beyond SQL INTEGER: no such row
        return None
    return db.session.scalar(
        select(ProjectDifficulty).where(ProjectDifficulty.id == difficulty_id)
        .options(joinedload(ProjectDifficulty.project), joinedload(ProjectDifficulty.unit),
                 joinedload(ProjectDifficulty.visit), joinedload(ProjectDifficulty.closed_by)))


def difficulties_for_unit(unit_id: int, *, status: DifficultyStatus | None = DifficultyStatus.OPEN
                          ) -> list[ProjectDifficulty]:
    """What waits on a unit: its difficulties, the oldest deadline first."""
    query = (select(ProjectDifficulty).where(ProjectDifficulty.unit_id == unit_id)
             .options(joinedload(ProjectDifficulty.project), joinedload(ProjectDifficulty.unit))
             .order_by(ProjectDifficulty.deadline, ProjectDifficulty.id))
    if status is not None:
        query = query.where(ProjectDifficulty.status == status)
    return list(db.session.scalars(query))


def answers_for_unit(unit_id: int, *, pending_only: bool = True) -> list[SiteSelectionAnswer]:
    """Site-selection requests addressed to a unit, with their selection and project."""
    query = (select(SiteSelectionAnswer).where(SiteSelectionAnswer.unit_id == unit_id)
             .options(joinedload(SiteSelectionAnswer.selection).joinedload(SiteSelection.project))
             .join(SiteSelection).order_by(SiteSelection.deadline, SiteSelectionAnswer.id))
    if pending_only:
        query = query.where(SiteSelectionAnswer.answer.is_(None))
    return list(db.session.scalars(query))


def selection_get(selection_id: int) -> SiteSelection | None:
    if not storable_int(selection_id):  # a URL's number beyond SQL INTEGER: no such row
        return None
    return db.session.scalar(
        select(SiteSelection).where(SiteSelection.id == selection_id)
        .options(joinedload(SiteSelection.project),
                 selectinload(SiteSelection.answers).joinedload(SiteSelectionAnswer.unit)))


def opening_case_get(case_id: int) -> OpeningCase | None:
    if not storable_int(case_id):  # a URL's number beyond SQL INTEGER: no such row
        return None
    return db.session.scalar(
        select(OpeningCase).where(OpeningCase.id == case_id)
        .options(joinedload(OpeningCase.project), joinedload(OpeningCase.unit),
                 selectinload(OpeningCase.items).joinedload(OpeningCaseItem.unit)))


def active_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.is_active).order_by(Unit.id)))


def difficulties_for_leader(user) -> list[tuple[Unit, list[ProjectDifficulty]]]:
    """Open difficulties of the projects ``user`` leads, grouped by the unit they wait on
    (units in seed order; within a unit the oldest deadline first). ``d.project`` is loaded."""
    rows = db.session.scalars(
        select(ProjectDifficulty).join(KeyProject, KeyProject.id == ProjectDifficulty.project_id)
        .where(KeyProject.leader_user_id == user.id,
               ProjectDifficulty.status == DifficultyStatus.OPEN)
        .options(joinedload(ProjectDifficulty.project), joinedload(ProjectDifficulty.unit))
        .order_by(ProjectDifficulty.unit_id, ProjectDifficulty.deadline, ProjectDifficulty.id))
    groups: dict[int, tuple[Unit, list[ProjectDifficulty]]] = {}
    for d in rows:
        groups.setdefault(d.unit_id, (d.unit, []))[1].append(d)
    return list(groups.values())


@dataclass
class LateAnswer:
    answer: SiteSelectionAnswer
    selection: SiteSelection
    project: KeyProject
    unit: Unit


@dataclass
class OverdueFieldwork:
    difficulties: list[ProjectDifficulty]  # open past their deadline, .project and .unit loaded
    answers: list[LateAnswer]  # site-selection answers pending past the deadline

    def __len__(self) -> int:
        return len(self.difficulties) + len(self.answers)


def overdue_fieldwork(today: dt.date, *, unit_id: int | None = None) -> OverdueFieldwork:
    """For the supervisors' overdue board: late difficulties and late site-selection answers
    (still pending after the deadline), oldest deadline first."""
    dq = (select(ProjectDifficulty)
          .where(ProjectDifficulty.status == DifficultyStatus.OPEN,
                 ProjectDifficulty.deadline < today)
          .options(joinedload(ProjectDifficulty.project), joinedload(ProjectDifficulty.unit))
          .order_by(ProjectDifficulty.deadline, ProjectDifficulty.id))
    aq = (select(SiteSelectionAnswer).join(SiteSelection)
          .where(SiteSelectionAnswer.answer.is_(None), SiteSelection.deadline < today)
          .options(joinedload(SiteSelectionAnswer.selection).joinedload(SiteSelection.project),
                   joinedload(SiteSelectionAnswer.unit))
          .order_by(SiteSelection.deadline, SiteSelectionAnswer.id))
    if unit_id is not None:
        dq = dq.where(ProjectDifficulty.unit_id == unit_id)
        aq = aq.where(SiteSelectionAnswer.unit_id == unit_id)
    answers = [LateAnswer(a, a.selection, a.selection.project, a.unit)
               for a in db.session.scalars(aq)]
    return OverdueFieldwork(list(db.session.scalars(dq)), answers)
