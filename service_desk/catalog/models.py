"""The services residents and enterprises can ask for."""
from __future__ import annotations

import datetime as dt
import enum
import secrets

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    String,
    Text,
    Time,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import enum_type
from ..extensions import db
from ..units.models import Unit

DEFAULT_MAX_ACTIVE_PER_PHONE_PER_DAY = 1


def new_slots_version() -> int:
    """A fresh slots version: random, not a counter, so that no version value ever comes back
    (a rolled-back transaction, a restored backup or a re-used id would repeat a counter's
    value and serve a cached answer of other data)."""
    return secrets.randbits(62)


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
    name_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[ServiceKind] = mapped_column(enum_type(ServiceKind))
    location: Mapped[ServiceLocation | None] = mapped_column(enum_type(ServiceLocation))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    channels: Mapped[list] = mapped_column(db.JSON, default=list)
    eligible_groups: Mapped[list] = mapped_column(db.JSON, default=list)
    # operational settings, set by administrators (the article gives none)
    duration_minutes: Mapped[int | None]  # slot length
    capacity: Mapped[int | None]  # bookings per slot
    dispatch_days: Mapped[int | None]  # deadline of a dispatched request, in days
    book_ahead_days: Mapped[int | None]  # how far ahead residents may book
    min_notice_minutes: Mapped[int | None]  # how soon before a slot booking closes
    travel_buffer_minutes: Mapped[int | None]  # home visits: travel between two visits
    # active bookings one mobile number may hold for this service on one day
    max_active_per_phone_per_day: Mapped[int] = mapped_column(
        default=DEFAULT_MAX_ACTIVE_PER_PHONE_PER_DAY,
        server_default=str(DEFAULT_MAX_ACTIVE_PER_PHONE_PER_DAY))
    what_to_bring: Mapped[str | None] = mapped_column(Text)  # papers to bring, shown on booking
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    source_quote: Mapped[str | None] = mapped_column(Text)
    # a new random value on every change to what its slots answer shows (slot_versions.py)
    slots_version: Mapped[int] = mapped_column(BigInteger, default=new_slots_version,
                                               server_default="0")

    unit: Mapped[Unit | None] = relationship(lazy="raise")


class OpeningHours(db.Model):
    """One open period of a weekday; two rows make a day with a lunch break."""

    __tablename__ = "opening_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("opens < closes", name="opens_before_closes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"),
                                            index=True)
    weekday: Mapped[int]  # Monday = 0, as Python's date.weekday()
    opens: Mapped[dt.time] = mapped_column(Time)
    closes: Mapped[dt.time] = mapped_column(Time)


class Closure(db.Model):
    """A day, or part of a day, an administrator closes a service (or every service when
    service_id is null). ``starts``/``ends`` are local times of ``on_date`` (both null: the whole
    day); a slot or booking overlapping [starts, ends) is closed.

    Public holidays and official make-up working days come from the `holidays` library.
    """

    __tablename__ = "closures"
    __table_args__ = (
        CheckConstraint("(starts IS NULL AND ends IS NULL) OR "
                        "(starts IS NOT NULL AND ends IS NOT NULL AND starts < ends)",
                        name="part_of_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True)
    on_date: Mapped[dt.date] = mapped_column(Date, index=True)
    starts: Mapped[dt.time | None] = mapped_column(Time)  # local time; None: the whole day
    ends: Mapped[dt.time | None] = mapped_column(Time)
    reason: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def whole_day(self) -> bool:
        return self.starts is None


class Slot(db.Model):
    """A bookable time of a service with its capacity counter.

    Capacity is enforced by the database: a booking increments ``booked`` with a guarded
    UPDATE (… WHERE booked < capacity) and the CHECK forbids overbooking, so two processes
    racing for the last place cannot both win, on PostgreSQL and on SQLite alike.
    """

    __tablename__ = "slots"
    __table_args__ = (
        UniqueConstraint("service_id", "starts_at", name="uq_slots_service_id_starts_at"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    capacity: Mapped[int]
    booked: Mapped[int] = mapped_column(default=0, server_default="0")
