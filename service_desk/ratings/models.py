"""好差评: a resident's rating of a finished service, and the rectification of a bad one.

The national system's five levels are stored as 1–5 (5 = 非常满意). A rating copies the
unit, service, channel and the staff member who served at the moment it is given, so the
figures stay right when a request is later reassigned or a user leaves.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalog.models import Channel
from ..db import enum_type, utcnow
from ..extensions import db


class RatingLevel(enum.IntEnum):
    VERY_DISSATISFIED = 1  # 非常不满意
    DISSATISFIED = 2  # 不满意
    FAIRLY_SATISFIED = 3  # 基本满意
    SATISFIED = 4  # 满意
    VERY_SATISFIED = 5  # 非常满意


# "good" in the good-rating rate: satisfied or better (满意, 非常满意)
GOOD_LEVELS = (RatingLevel.SATISFIED, RatingLevel.VERY_SATISFIED)
# a rating at these levels opens a rectification (差评整改)
BAD_LEVELS = (RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED)


class RatingSource(enum.Enum):
    """How the rating reached us (not the channel the service was asked for on)."""

    LINK = "link"  # the link in the completion text
    BOOKING_PAGE = "booking_page"  # "my booking", after reference + phone
    PHONE = "phone"  # an operator records what the resident said on the phone
    API = "api"


class Rating(db.Model):
    __tablename__ = "ratings"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # unique: a service is rated once (the fix of a bad one is rated on its rectification)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), unique=True
    )
    level: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    channel: Mapped[Channel | None] = mapped_column(enum_type(Channel, "rating_channel"))
    source: Mapped[RatingSource | None] = mapped_column(enum_type(RatingSource))
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    # an upheld appeal leaves the rating out of every figure; the reason is on the rectification
    excluded: Mapped[bool] = mapped_column(default=False, server_default=false())

    rectification: Mapped[Rectification | None] = relationship(
        back_populates="rating", lazy="raise", uselist=False)


class RectificationStatus(enum.Enum):
    OPEN = "open"  # the unit has to call back and act
    APPEALED = "appealed"  # the unit says the rating is mistaken or malicious; a supervisor decides
    FIXED = "fixed"  # closed: the problem was put right
    EXPLAINED = "explained"  # closed: it cannot be fixed, and the resident was told why
    APPEAL_UPHELD = "appeal_upheld"  # closed: the rating is left out of the figures


CLOSED_STATUSES = (RectificationStatus.FIXED, RectificationStatus.EXPLAINED,
                   RectificationStatus.APPEAL_UPHELD)


class Rectification(db.Model):
    """差评整改: what the unit did about a bad rating, by a deadline in working days."""

    __tablename__ = "rectifications"
    __table_args__ = (
        CheckConstraint("fix_level IS NULL OR fix_level BETWEEN 1 AND 5", name="fix_level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(
        ForeignKey("ratings.id", ondelete="CASCADE"), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[RectificationStatus] = mapped_column(
        enum_type(RectificationStatus), index=True, default=RectificationStatus.OPEN)
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    due_at: Mapped[dt.datetime] = mapped_column(index=True)
    # the call-back (回访) to the resident
    called_back_at: Mapped[dt.datetime | None]
    called_back_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    callback_note: Mapped[str | None] = mapped_column(Text)
    # what was done, and how it ended
    action_note: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[dt.datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # an appeal against a mistaken or malicious rating
    appeal_reason: Mapped[str | None] = mapped_column(Text)
    appealed_at: Mapped[dt.datetime | None]
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    # the resident's rating of the fix
    fix_level: Mapped[int | None]
    fix_comment: Mapped[str | None] = mapped_column(Text)
    fix_rated_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    rating: Mapped[Rating] = relationship(back_populates="rectification", lazy="raise")

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES
