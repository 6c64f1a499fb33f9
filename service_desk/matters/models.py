"""The practical-matters ledger: key issues, matters (items) and their progress history."""
from __future__ import annotations

import datetime as dt
import enum

from flask_babel import gettext
from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    select,
    true,
)
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..base.calendar import today
from ..db import enum_type, utcnow
from ..extensions import db
from ..units.models import Unit


class MatterStatus(enum.Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class UpdateKind(enum.Enum):
    """What a history entry records; the item's whole story lives in one list."""

    PROGRESS = "progress"
    NOTE = "note"
    IMPORT = "import"
    EXTENSION_REQUEST = "extension_request"
    EXTENSION_DECISION = "extension_decision"
    NOTICE = "notice"
    NOTICE_REPLY = "notice_reply"
    ATTACHMENT = "attachment"


class ExtensionStatus(enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class RecordOrigin(enum.Enum):
    """Where a row came from; synthetic rows exist only for load and benchmark work."""

    SEED = "seed"
    IMPORT = "import"
    WEB = "web"
    SYNTHETIC = "synthetic"


class KeyIssue(db.Model):
    """A key issue (重点问题) an item may be filed under in the offices' ledger.

    The article names 24 key issues for 2021 and, in another sentence, the 168-item list;
    it does not say the list is organised under them. Key issues arrive by import only.
    """

    __tablename__ = "key_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    source_quote: Mapped[str | None] = mapped_column(Text)


matter_co_units = Table(
    "matter_co_units",
    db.Model.metadata,
    Column("matter_id", Integer, ForeignKey("matters.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id"), primary_key=True, index=True),
)


class Matter(db.Model):
    """One item of the practical-matters list. Overdue and due-soon are derived, not stored."""

    __tablename__ = "matters"
    __table_args__ = (CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    key_issue_id: Mapped[int | None] = mapped_column(ForeignKey("key_issues.id"), index=True)
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    responsible_person: Mapped[str | None] = mapped_column(String(100))
    deadline: Mapped[dt.date | None] = mapped_column(Date, index=True)
    # the first deadline promised; extensions move `deadline`, never this
    original_deadline: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[MatterStatus] = mapped_column(
        enum_type(MatterStatus), default=MatterStatus.NOT_STARTED, index=True
    )
    progress: Mapped[int] = mapped_column(default=0, server_default="0")
    is_public: Mapped[bool] = mapped_column(default=True, server_default=true())
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    figures: Mapped[list | None] = mapped_column(db.JSON)
    source_quote: Mapped[str | None] = mapped_column(Text)
    # further sentences of the article about the item, verbatim (seeds' `quotes`)
    source_quotes: Mapped[list | None] = mapped_column(db.JSON)
    origin: Mapped[RecordOrigin] = mapped_column(enum_type(RecordOrigin))
    is_synthetic: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # optimistic concurrency: a stale save matches no row and is refused
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    key_issue: Mapped[KeyIssue | None] = relationship(lazy="raise")
    lead_unit: Mapped[Unit | None] = relationship(lazy="raise")
    co_units: Mapped[list[Unit]] = relationship(secondary=matter_co_units, lazy="raise")

    @property
    def reported_by_article(self) -> bool:
        """An initiative the article describes, seeded from it: the article never says it is
        on the 168-item list, so it is not counted as one of its items."""
        return self.origin is RecordOrigin.SEED


class MatterUpdate(db.Model):
    """Append-only progress history of a matter."""

    __tablename__ = "matter_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    status_before: Mapped[MatterStatus | None] = mapped_column(
        enum_type(MatterStatus, "status_before"))
    status_after: Mapped[MatterStatus | None] = mapped_column(
        enum_type(MatterStatus, "status_after"))
    progress_before: Mapped[int | None]
    progress_after: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text)
    kind: Mapped[UpdateKind] = mapped_column(
        enum_type(UpdateKind), default=UpdateKind.PROGRESS, server_default="progress")
    # the matter's version after this entry: "what changed since version N" for stale forms
    matter_version: Mapped[int | None]
    is_public: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_synthetic: Mapped[bool] = mapped_column(default=False, server_default=false())
    # written by the software (an import's change log), not by a person: never 最新进展
    is_generated: Mapped[bool] = mapped_column(default=False, server_default=false())
    # a sentence of the source article, loaded by the seed: the article gives no date for
    # it, and created_at is only when it was loaded, so pages show no date
    from_article: Mapped[bool] = mapped_column(default=False, server_default=false())

    __table_args__ = (
        db.Index("ix_matter_updates_matter_id_created_at", "matter_id", "created_at"),
    )


class DeadlineExtension(db.Model):
    """A unit's request to move a deadline; a supervisor approves or refuses it with a reason."""

    __tablename__ = "deadline_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    current_deadline: Mapped[dt.date | None] = mapped_column(Date)
    requested_deadline: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ExtensionStatus] = mapped_column(
        enum_type(ExtensionStatus), default=ExtensionStatus.PENDING, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    matter: Mapped[Matter] = relationship(lazy="raise")
    unit: Mapped[Unit | None] = relationship(lazy="raise")


def _next_notice_serial(context) -> int:
    """A row inserted without a serial (seeds, tests) gets its year's next one; the service
    sets both itself and retries when a concurrent notice took the number."""
    year = context.get_current_parameters().get("year") or today().year
    notices = sa_table("supervision_notices", sa_column("year"), sa_column("serial"))
    last = context.connection.scalar(select(func.max(notices.c.serial))
                                     .where(notices.c.year == year)) or 0
    # rows of the same INSERT (add_all) numbered just before this one
    same_batch = [p["serial"] for p in context.compiled_parameters
                  if p.get("year") == year and p.get("serial")]
    return max([last, *same_batch]) + 1


class SupervisionNotice(db.Model):
    """督办单: a supervisor's formal push on an item, to a unit, with a reply date.

    Open, replied or late is derived from reply_due, replied_at and today, never stored.
    Its number (督办〔year〕第 serial 号) counts per year of issue in the zone; the unique pair
    is what keeps two notices issued at once from sharing one.
    It targets a ledger item or a key project, exactly one: the project is a column only
    (projects sit above matters in the layers; supervision loads it).
    """

    __tablename__ = "supervision_notices"
    __table_args__ = (
        UniqueConstraint("year", "serial"),
        CheckConstraint("(matter_id IS NULL AND project_id IS NOT NULL) OR "
                        "(matter_id IS NOT NULL AND project_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, default=lambda: today().year)
    serial: Mapped[int] = mapped_column(Integer, default=_next_notice_serial)
    matter_id: Mapped[int | None] = mapped_column(
        ForeignKey("matters.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("key_projects.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    body: Mapped[str] = mapped_column(Text)
    reply_due: Mapped[dt.date] = mapped_column(Date, index=True)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[dt.datetime | None]
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    matter: Mapped[Matter | None] = relationship(lazy="raise")
    unit: Mapped[Unit] = relationship(lazy="raise")


def notice_number(notice: SupervisionNotice) -> str:
    """督办〔2026〕第12号 in Chinese; what the lists, the document and the mail show."""
    return gettext("Notice %(year)d No. %(serial)d", year=notice.year, serial=notice.serial)


class Attachment(db.Model):
    """Evidence for an update (images, PDF), stored under instance/, outside the web root."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"), index=True)
    update_id: Mapped[int | None] = mapped_column(
        ForeignKey("matter_updates.id", ondelete="SET NULL"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
