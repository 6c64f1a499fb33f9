"""Responsible units: bureaus, the service centre, sub-districts, communities."""
from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import enum_type
from ..extensions import db


class UnitKind(enum.Enum):
    ZONE = "zone"
    BUREAU = "bureau"
    CENTRE = "centre"
    DEPARTMENT = "department"
    SUBDISTRICT = "subdistrict"
    COMMUNITY = "community"


class Unit(db.Model):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[UnitKind] = mapped_column(enum_type(UnitKind))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    source_quote: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())

    parent: Mapped[Unit | None] = relationship(remote_side=[id], lazy="raise")

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"
