"""The notification outbox: rows written in the same transaction as the change they announce."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from ..db import enum_type, utcnow
from ..extensions import db


class NotificationStatus(enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    # the same reminder is never queued twice
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[NotificationStatus] = mapped_column(
        enum_type(NotificationStatus), default=NotificationStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    # texts: not before this time (a retry's backoff, or the morning after quiet hours)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    # a text confirming what the resident has just done: it may go out in quiet hours
    urgent: Mapped[bool] = mapped_column(default=False, server_default=false())
    # the provider's id of a sent text (the gateway's answer, Alibaba Cloud's BizId)
    provider_id: Mapped[str | None] = mapped_column(String(128))
    # JSON object of a text's template parameters (Alibaba Cloud's TemplateParam)
    params: Mapped[str | None] = mapped_column(Text)
