"""The services residents and enterprises can ask for."""
from __future__ import annotations

import enum
from typing import Optional

from sqlalchemy import ForeignKey, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import enum_type
from ..extensions import db
from ..units.models import Unit


class ServiceKind(enum.Enum):
    APPOINTMENT = "appointment"  # a timed booking
    DISPATCH = "dispatch"  # a request sent to a unit with a deadline


class ServiceLocation(enum.Enum):
    HALL = "hall"
    HOME = "home"
    PARK = "park"
    PHONE = "phone"


class Channel(enum.Enum):
    PHONE = "phone"
    WECHAT = "wechat"
    WEB = "web"
    WALK_IN = "walk_in"
    OPEN311 = "open311"


class SpecialGroup(enum.Enum):
    ELDERLY = "elderly"
    DISABLED = "disabled"
    PREGNANT = "pregnant"
    ENTERPRISE = "enterprise"
    EVERYONE = "everyone"


class Service(db.Model):
    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[Optional[str]] = mapped_column(String(200))
    kind: Mapped[ServiceKind] = mapped_column(enum_type(ServiceKind))
    location: Mapped[Optional[ServiceLocation]] = mapped_column(enum_type(ServiceLocation))
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id"), index=True)
    description: Mapped[Optional[str]] = mapped_column(Text)
    channels: Mapped[list] = mapped_column(db.JSON, default=list)
    eligible_groups: Mapped[list] = mapped_column(db.JSON, default=list)
    # operational settings, set by administrators (the article gives none)
    duration_minutes: Mapped[Optional[int]]
    capacity: Mapped[Optional[int]]
    dispatch_days: Mapped[Optional[int]]
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    source_quote: Mapped[Optional[str]] = mapped_column(Text)

    unit: Mapped[Optional[Unit]] = relationship(lazy="raise")
