"""Field work on key projects: site visits (现场调研) and the difficulties they find, joint site
selection by four departments (联动选址), and the one-stop opening case (完工即开业).

Late and done are derived from dates and answers, never stored.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import enum_type, utcnow
from ..extensions import db
from ..units.models import Unit
from .models import KeyProject


class DifficultyStatus(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


class SelectionAnswer(enum.Enum):
    AGREE = "agree"
    PROBLEM = "problem"  # a problem with the land, described in the note


class OpeningStatus(enum.Enum):
    OPEN = "open"
    DONE = "done"


site_visit_units = Table(
    "site_visit_units",
    db.metadata,
    Column("visit_id", Integer, ForeignKey("project_site_visits.id", ondelete="CASCADE"),
           primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id"), primary_key=True, index=True),
)


class SiteVisit(db.Model):
    """One on-site visit: who went, what progress they saw; difficulties hang below it."""

    __tablename__ = "project_site_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("key_projects.id", ondelete="CASCADE"), index=True)
    visited_on: Mapped[dt.date] = mapped_column(Date)
    progress_seen: Mapped[str] = mapped_column(Text)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    project: Mapped[KeyProject] = relationship(lazy="raise")
    units: Mapped[list[Unit]] = relationship(secondary=site_visit_units, lazy="raise",
                                             order_by=Unit.id)
    created_by: Mapped[User | None] = relationship(lazy="raise")
    difficulties: Mapped[list[ProjectDifficulty]] = relationship(
        back_populates="visit", lazy="raise", order_by="ProjectDifficulty.id")


class ProjectDifficulty(db.Model):
    """A difficulty found on a project: a tracked problem its responsible unit closes."""

    __tablename__ = "project_difficulties"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("key_projects.id", ondelete="CASCADE"), index=True)
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("project_site_visits.id", ondelete="SET NULL"), index=True)
    description: Mapped[str] = mapped_column(Text)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    # a working day (base.calendar): the unit answers by the close of that day
    deadline: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[DifficultyStatus] = mapped_column(
        enum_type(DifficultyStatus), default=DifficultyStatus.OPEN, index=True)
    closed_note: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[dt.datetime | None]
    closed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # optimistic concurrency: a stale close matches no row and is refused (409)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (as SQLAlchemy documents it)

    project: Mapped[KeyProject] = relationship(lazy="raise")
    visit: Mapped[SiteVisit | None] = relationship(back_populates="difficulties", lazy="raise")
    unit: Mapped[Unit] = relationship(lazy="raise")
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_user_id], lazy="raise")


class SiteSelection(db.Model):
    """One joint site-selection request; done when every department has answered."""

    __tablename__ = "project_site_selections"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("key_projects.id", ondelete="CASCADE"), index=True)
    requested_on: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date] = mapped_column(Date, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    project: Mapped[KeyProject] = relationship(lazy="raise")
    answers: Mapped[list[SiteSelectionAnswer]] = relationship(
        back_populates="selection", lazy="raise", cascade="all, delete-orphan",
        order_by="SiteSelectionAnswer.id")

    @property
    def is_done(self) -> bool:
        """Every department has answered (agree or a problem with the land)."""
        return all(a.answer is not None for a in self.answers)


class SiteSelectionAnswer(db.Model):
    """One department's answer; NULL answer = still pending."""

    __tablename__ = "site_selection_answers"
    __table_args__ = (UniqueConstraint("selection_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(
        ForeignKey("project_site_selections.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    answer: Mapped[SelectionAnswer | None] = mapped_column(enum_type(SelectionAnswer))
    note: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None]
    answered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (as SQLAlchemy documents it)

    selection: Mapped[SiteSelection] = relationship(back_populates="answers", lazy="raise")
    unit: Mapped[Unit] = relationship(lazy="raise")


class OpeningCase(db.Model):
    """完工即开业: the one-stop approval case a project gets when construction is complete."""

    __tablename__ = "project_opening_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("key_projects.id", ondelete="CASCADE"), unique=True)
    # the help desk (帮办中心) that works the case
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    target_opening_on: Mapped[dt.date] = mapped_column(Date)  # = the completion date
    status: Mapped[OpeningStatus] = mapped_column(
        enum_type(OpeningStatus), default=OpeningStatus.OPEN)
    done_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # bumped by every change to the case or its checklist (stale form → 409)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (as SQLAlchemy documents it)

    project: Mapped[KeyProject] = relationship(lazy="raise")
    unit: Mapped[Unit | None] = relationship(lazy="raise")
    items: Mapped[list[OpeningCaseItem]] = relationship(
        back_populates="case", lazy="raise", cascade="all, delete-orphan",
        order_by="OpeningCaseItem.id")


class OpeningCaseItem(db.Model):
    """One approval needed to open, done with a note."""

    __tablename__ = "project_opening_case_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("project_opening_cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    done_at: Mapped[dt.datetime | None]
    done_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)

    case: Mapped[OpeningCase] = relationship(back_populates="items", lazy="raise")
    unit: Mapped[Unit | None] = relationship(lazy="raise")
