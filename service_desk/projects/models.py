"""Key projects of the investment ledger (the 44 projects in negotiation) and their milestones."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import enum_type, utcnow
from ..extensions import db
from ..units.models import Unit


class ProjectStatus(enum.Enum):
    NEGOTIATING = "negotiating"
    SIGNED = "signed"
    REGISTERED = "registered"
    UNDER_CONSTRUCTION = "under_construction"
    OPERATING = "operating"


class MilestoneKind(enum.Enum):
    SIGNING = "signing"
    REGISTRATION = "registration"
    FUNDS_ARRIVAL = "funds_arrival"
    CONSTRUCTION = "construction"
    PRODUCTION = "production"


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
    investor: Mapped[str | None] = mapped_column(String(200))
    origin: Mapped[str | None] = mapped_column(String(16))  # domestic | foreign
    category: Mapped[str | None] = mapped_column(String(32))
    total_investment: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    total_investment_currency: Mapped[str | None] = mapped_column(String(3))
    registered_capital: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    registered_capital_currency: Mapped[str | None] = mapped_column(String(3))
    expected_sales: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    expected_sales_currency: Mapped[str | None] = mapped_column(String(3))
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    leader: Mapped[str | None] = mapped_column(String(100))  # 区领导牵头分包
    status: Mapped[ProjectStatus | None] = mapped_column(enum_type(ProjectStatus))
    facts: Mapped[list | None] = mapped_column(db.JSON)
    source_quote: Mapped[str | None] = mapped_column(Text)
    is_synthetic: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    owner_unit: Mapped[Unit | None] = relationship(lazy="raise")
    milestones: Mapped[list[ProjectMilestone]] = relationship(
        back_populates="project", lazy="raise", cascade="all, delete-orphan",
        order_by="ProjectMilestone.planned_on",
    )


class ProjectMilestone(db.Model):
    __tablename__ = "project_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("key_projects.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MilestoneKind] = mapped_column(enum_type(MilestoneKind))
    planned_on: Mapped[dt.date | None] = mapped_column(Date)
    precision: Mapped[DatePrecision] = mapped_column(enum_type(DatePrecision))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    done: Mapped[bool] = mapped_column(default=False, server_default=false())
    source_quote: Mapped[str | None] = mapped_column(Text)

    project: Mapped[KeyProject] = relationship(back_populates="milestones", lazy="raise")
