"""Deliver the outbox's texts (``sms:<phone>`` rows), each once, even with two runs at once.

The claim is the mail sender's (see sender.py): each text in its own transaction, claimed by
a guarded ``UPDATE … attempts = attempts + 1`` (after ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL), sent, marked, committed. On top of it:

- a failed try waits (``next_attempt_at``) along SMS_BACKOFF_SECONDS; after SMS_MAX_TRIES
  tries, or at once for a refusal no retry can change, the row is failed with the reason;
- quiet hours (SMS_QUIET_HOURS, local time): a text waits for their end without spending a
  try, unless it is urgent (it confirms what the resident has just done) and younger than
  SMS_URGENT_MINUTES;
- at most SMS_MAX_PER_PHONE_PER_DAY texts are sent to one phone per local day; a further one
  fails with that reason, so a form cannot flood a phone (not held: a held flood would only
  arrive later). On PostgreSQL a transaction-scoped advisory lock per phone makes the count
  and the send atomic across runs; SQLite lets one writer in at a time anyway.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select, text, update

from ..base.calendar import zone
from ..db import utcnow
from ..extensions import db
from .models import Notification, NotificationStatus
from .outbox import SMS_PREFIX
from .sender import _claim, _describe, _mark
from .sms_backends import SmsBackend, SmsError, Text
from .sms_rules import backoff, day_start, parse_quiet_hours, quiet_until


@dataclass
class TextResult:
    sent: int = 0
    failed: int = 0  # failed tries, including those given up
    gave_up: int = 0  # rows now failed for good (tries spent, refused, or over the daily cap)
    capped: int = 0  # of those, over the per-phone daily cap
    held: int = 0  # waiting for the end of quiet hours
    waiting: int = 0  # texts still pending afterwards


def text_id(dedupe_key: str) -> str:
    """The text's id sent to the provider: the same on every retry, revealing nothing."""
    return "sd-" + hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest()[:32]


def pending_texts() -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.status == NotificationStatus.PENDING,
        Notification.recipient.like(f"{SMS_PREFIX}%"))) or 0


def _sent_today(recipient: str, now: dt.datetime) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.recipient == recipient, Notification.status == NotificationStatus.SENT,
        Notification.sent_at >= day_start(now, zone()))) or 0


def _params(raw: str | None) -> Mapping[str, Any]:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def send_texts(*, backend: SmsBackend, config: Mapping[str, Any], limit: int = 500,
               now: dt.datetime | None = None) -> TextResult:
    """Send up to ``limit`` due texts, oldest first; commits once per text (call it after
    committing your own work). ``now`` is for tests; by default the clock."""
    result = TextResult()
    now = now or utcnow()
    max_tries = int(config.get("SMS_MAX_TRIES") or 5)
    cap = int(config.get("SMS_MAX_PER_PHONE_PER_DAY") or 10)
    schedule = config.get("SMS_BACKOFF_SECONDS") or [60, 300, 1800, 7200]
    hold_until = quiet_until(now, parse_quiet_hours(config.get("SMS_QUIET_HOURS")), zone())
    urgent_since = now - dt.timedelta(minutes=int(config.get("SMS_URGENT_MINUTES") or 30))
    dialect = db.session.get_bind().dialect.name

    batch = list(db.session.execute(
        select(Notification.id, Notification.attempts, Notification.urgent,
               Notification.created_at, Notification.recipient)
        .where(Notification.status == NotificationStatus.PENDING,
               Notification.recipient.like(f"{SMS_PREFIX}%"),
               or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now))
        .order_by(Notification.id).limit(limit)))
    db.session.commit()  # end the read; each text gets its own transaction

    for seen in batch:
        if hold_until is not None and not (seen.urgent and seen.created_at >= urgent_since):
            db.session.execute(
                update(Notification)
                .where(Notification.id == seen.id,
                       Notification.status == NotificationStatus.PENDING,
                       Notification.attempts == seen.attempts)
                .values(next_attempt_at=hold_until)
                .execution_options(synchronize_session=False))
            db.session.commit()
            result.held += 1
            continue
        if not _claim(seen.id, seen.attempts, dialect):
            db.session.rollback()
            continue
        if dialect == "postgresql":  # one run at a time counts and sends to this phone
            db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:phone))"),
                               {"phone": seen.recipient})
        if _sent_today(seen.recipient, now) >= cap:
            _mark(seen.id, status=NotificationStatus.FAILED, attempts=seen.attempts,
                  last_error=f"daily limit: {cap} texts already sent to this phone today")
            db.session.commit()
            result.gave_up += 1
            result.capped += 1
            continue
        row = db.session.execute(
            select(Notification.recipient, Notification.kind, Notification.body,
                   Notification.dedupe_key, Notification.params, Notification.attempts)
            .where(Notification.id == seen.id)).one()
        message = Text(id=text_id(row.dedupe_key), phone=row.recipient[len(SMS_PREFIX):],
                       text=row.body, kind=row.kind, params=_params(row.params))
        try:
            provider_id = backend.send(message)
        except Exception as exc:  # noqa: BLE001  (a backend's bug must not leave a row claimed)
            reason = str(exc) if isinstance(exc, SmsError) else _describe(exc)
            values: dict[str, Any] = {"last_error": reason[:500]}
            if getattr(exc, "permanent", False) or row.attempts >= max_tries:
                values["status"] = NotificationStatus.FAILED
                result.gave_up += 1
            else:
                values["next_attempt_at"] = now + backoff(row.attempts, schedule)
            _mark(seen.id, **values)
            result.failed += 1
        else:
            _mark(seen.id, status=NotificationStatus.SENT, sent_at=now,
                  provider_id=(provider_id or None) and str(provider_id)[:128])
            result.sent += 1
        db.session.commit()
    result.waiting = pending_texts()
    return result
