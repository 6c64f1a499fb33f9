"""Key projects of the investment ledger (the 44 projects in negotiation): each led by a
district leader (区领导牵头分包), served by a task team (一对一专班), moving along the stage
chain 招商引资 → 项目论证 → 尽职调查 → 审批 → 供地 → 建设 → 投产/开业, with dated milestones;
and the exchange rates a supervisor sets for the live totals."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import enum_type, utcnow
from ..extensions import db
from ..units.models import Unit

ORIGINS = ("domestic", "foreign")
CATEGORIES = ("manufacturing", "cross_border_ecommerce", "modern_services")


class ProjectStage(enum.Enum):
    """The chain of the article's 全链条闭环服务, in order; NULL on a project = not known."""

    ATTRACTION = "attraction"  # 招商引资
    APPRAISAL = "appraisal"  # 项目论证
    DUE_DILIGENCE = "due_diligence"  # 尽职调查
    APPROVAL = "approval"  # 审批
    LAND_SUPPLY = "land_supply"  # 供地
    CONSTRUCTION = "construction"  # 建设
    OPENED = "opened"  # 投产/开业


STAGE_ORDER = list(ProjectStage)


class RecordKind(enum.Enum):
    """`enterprise`: an enterprise the article names that is not one of the 44 projects."""

    PROJECT = "project"
    ENTERPRISE = "enterprise"


class MilestoneKind(enum.Enum):
    SIGNING = "signing"
    REGISTRATION = "registration"
    FUNDS_ARRIVAL = "funds_arrival"  # with amount and currency
    LAND_SUPPLY = "land_supply"
    CONSTRUCTION_START = "construction_start"
    COMPLETION = "completion"  # an actual date starts the opening case (完工即开业)
    OPENING = "opening"  # 投产/开业 (the old "production")


class DatePrecision(enum.Enum):
    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"


class KeyProject(db.Model):
    """A project the zone is pushing; money is stored in whole currency units (元, US$)."""

    __tablename__ = "key_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    record_kind: Mapped[RecordKind] = mapped_column(
        enum_type(RecordKind), default=RecordKind.PROJECT, server_default="project")
    investor: Mapped[str | None] = mapped_column(String(200))
    origin: Mapped[str | None] = mapped_column(String(16))  # ORIGINS: domestic | foreign
    category: Mapped[str | None] = mapped_column(String(32))  # CATEGORIES
    total_investment: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    total_investment_currency: Mapped[str | None] = mapped_column(String(3))
    # the source says "近…" (nearly): the amount is not exact
    investment_approximate: Mapped[bool] = mapped_column(default=False, server_default=false())
    registered_capital: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    registered_capital_currency: Mapped[str | None] = mapped_column(String(3))
    expected_sales: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    expected_sales_currency: Mapped[str | None] = mapped_column(String(3))
    # 鸿瑞's "预计实现销售额近40亿元": nearly, not exactly
    expected_sales_approximate: Mapped[bool] = mapped_column(
        default=False, server_default=false())
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    leader: Mapped[str | None] = mapped_column(String(100))  # 区领导牵头分包, as the source words it
    leader_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    stage: Mapped[ProjectStage | None] = mapped_column(enum_type(ProjectStage))
    facts: Mapped[list | None] = mapped_column(db.JSON)
    source_quote: Mapped[str | None] = mapped_column(Text)
    is_synthetic: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # optimistic concurrency: a stale save matches no row and is refused
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    owner_unit: Mapped[Unit | None] = relationship(lazy="raise")
    leader_user: Mapped[User | None] = relationship(lazy="raise")
    milestones: Mapped[list[ProjectMilestone]] = relationship(
        back_populates="project", lazy="raise", cascade="all, delete-orphan",
        order_by="ProjectMilestone.planned_on",
    )
    team: Mapped[list[TaskTeamMember]] = relationship(
        back_populates="project", lazy="raise", cascade="all, delete-orphan",
        order_by="TaskTeamMember.id",
    )


class TaskTeamMember(db.Model):
    """One member of a project's task team (专班): a unit, optionally a person and a duty."""

    __tablename__ = "project_team_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("key_projects.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str | None] = mapped_column(String(100))
    duty: Mapped[str | None] = mapped_column(Text)

    project: Mapped[KeyProject] = relationship(back_populates="team", lazy="raise")
    unit: Mapped[Unit] = relationship(lazy="raise")
    user: Mapped[User | None] = relationship(lazy="raise")


class ProjectMilestone(db.Model):
    """A dated step; `precision` is the planned date's, `actual_precision` the actual's.

    Dates at month or quarter precision are stored as the period's first day."""

    __tablename__ = "project_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("key_projects.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MilestoneKind] = mapped_column(enum_type(MilestoneKind))
    planned_on: Mapped[dt.date | None] = mapped_column(Date)
    precision: Mapped[DatePrecision] = mapped_column(enum_type(DatePrecision))
    actual_on: Mapped[dt.date | None] = mapped_column(Date)
    actual_precision: Mapped[DatePrecision | None] = mapped_column(
        enum_type(DatePrecision, name="milestone_actual_precision"))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    note: Mapped[str | None] = mapped_column(Text)
    source_quote: Mapped[str | None] = mapped_column(Text)

    project: Mapped[KeyProject] = relationship(back_populates="milestones", lazy="raise")

    @property
    def done(self) -> bool:
        """One truth: a milestone is done when it has an actual date."""
        return self.actual_on is not None


class ExchangeRate(db.Model):
    """How many 元 one unit of a currency is worth, for the live totals (set by a supervisor)."""

    __tablename__ = "currency_rates"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    rate_to_cny: Mapped[Decimal] = mapped_column(Numeric(18, 6))
    set_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
