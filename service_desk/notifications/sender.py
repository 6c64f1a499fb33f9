"""Deliver the outbox over SMTP, each message once, even with two `notify` runs at once.

How a row is claimed, so that two concurrent runs never both send it:

- Every message is handled in its own transaction: claim, send, mark, commit. The claim
  counts the attempt (``attempts = attempts + 1``) and is guarded by the attempts count this
  run saw, so a row another run has touched meanwhile is left alone.
- PostgreSQL: the claim first locks the row with ``SELECT ... FOR UPDATE SKIP LOCKED``; a
  row another run is sending right now is locked, so it is skipped rather than waited for,
  and once that run commits the row is no longer pending.
- SQLite ignores FOR UPDATE. There the guarded ``UPDATE ... WHERE id = :id AND status =
  'pending' AND attempts = :seen`` is the claim: only ``rowcount == 1`` sends. SQLite lets one
  writer in at a time and the claim's transaction stays open until the row is marked, so a
  second run waits for it (or skips the row if the database stays locked) and then finds the
  row sent or its attempts moved on.

The status column keeps its three values (pending, sent, failed): a row being sent is a
pending row inside an open transaction. The cost of that choice is that a run which dies
between the SMTP server's "250 OK" and its commit sends that message again next time
(at least once, never silently lost); the Message-ID is derived from the dedupe key, so mail
clients can still fold such a duplicate. On SQLite, other writers wait during one SMTP
exchange (at most ``SMTP_TIMEOUT`` seconds); PostgreSQL only locks the row being sent.

A failed send keeps the row pending with ``last_error`` for the next run; after
``MAX_ATTEMPTS`` attempts it becomes failed and stays visible on /admin/outbox.
"""
from __future__ import annotations

import contextlib
import hashlib
import smtplib
import ssl
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from ..db import utcnow
from ..extensions import db
from .models import Notification, NotificationStatus
from .outbox import SMS_PREFIX, one_line

MAX_ATTEMPTS = 5
SMTP_TIMEOUT = 10  # seconds, for connecting and for each SMTP command
DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class SmtpUrlError(ValueError):
    """SERVICE_DESK_SMTP_URL cannot be used."""


@dataclass(frozen=True)
class SmtpTarget:
    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None


@dataclass
class SendResult:
    """What one run did: delivered, failed attempts, still pending afterwards."""

    sent: int = 0
    failed: int = 0
    waiting: int = 0
    gave_up: int = 0  # rows that reached MAX_ATTEMPTS in this run and are now failed
    error: str | None = None  # the server could not be reached at all


def parse_smtp_url(url: str) -> SmtpTarget:
    """smtp://[user:pass@]host[:port] (plain), smtp+starttls://… (STARTTLS), smtps://… (TLS)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise SmtpUrlError(
            f"SMTP URL scheme must be smtp, smtp+starttls or smtps, not {parts.scheme!r}")
    try:
        port = parts.port
    except ValueError as exc:
        raise SmtpUrlError(f"SMTP URL has a bad port: {exc}") from None
    if not parts.hostname:
        raise SmtpUrlError("SMTP URL has no host")
    return SmtpTarget(
        scheme=scheme,
        host=parts.hostname,
        port=port or DEFAULT_PORTS[scheme],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def _connect(target: SmtpTarget) -> smtplib.SMTP:
    if target.scheme == "smtps":
        conn: smtplib.SMTP = smtplib.SMTP_SSL(target.host, target.port, timeout=SMTP_TIMEOUT,
                                              context=ssl.create_default_context())
    else:
        conn = smtplib.SMTP(target.host, target.port, timeout=SMTP_TIMEOUT)
    try:
        if target.scheme == "smtp+starttls":
            conn.starttls(context=ssl.create_default_context())
        if target.username:
            conn.login(target.username, target.password or "")
    except BaseException:
        conn.close()
        raise
    return conn


def _message(row: Any, from_addr: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = one_line(row.subject)  # rows queued before subjects were made one line
    msg["From"] = from_addr
    msg["To"] = row.recipient
    msg["Date"] = formatdate(usegmt=True)
    # the same outbox row always carries the same Message-ID: a resend after a crash folds
    domain = parseaddr(from_addr)[1].rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(row.dedupe_key.encode("utf-8")).hexdigest()[:32]
    msg["Message-ID"] = f"<{digest}@{domain}>"
    msg.set_content(row.body, charset="utf-8", cte="base64")
    return msg


def _claim(row_id: int, seen_attempts: int, dialect: str) -> bool:
    """Take the row for this run and count the attempt; False when another run has it."""
    guard = (Notification.id == row_id, Notification.status == NotificationStatus.PENDING,
             Notification.attempts == seen_attempts)
    if dialect == "postgresql":
        locked = db.session.execute(
            select(Notification.id).where(*guard).with_for_update(skip_locked=True)).first()
        if locked is None:
            return False
    try:
        result = db.session.execute(
            update(Notification).where(*guard)
            .values(attempts=Notification.attempts + 1)
            .execution_options(synchronize_session=False))
    except OperationalError as exc:
        if dialect != "sqlite" or "locked" not in str(exc.orig):
            raise
        # "database is locked": another run holds SQLite's write lock for longer than the
        # busy timeout; leave this row to it (or to the next run)
        db.session.rollback()
        return False
    return result.rowcount == 1


def _mark(row_id: int, **values: Any) -> None:
    db.session.execute(update(Notification).where(Notification.id == row_id).values(**values)
                       .execution_options(synchronize_session=False))


def _record_failure(row_id: int, attempts: int, exc: BaseException, result: SendResult) -> None:
    """The claim already counted the attempt; give up after MAX_ATTEMPTS."""
    values: dict[str, Any] = {"last_error": _describe(exc)}
    if attempts >= MAX_ATTEMPTS:
        values["status"] = NotificationStatus.FAILED
        result.gave_up += 1
    _mark(row_id, **values)
    result.failed += 1


def _record_unreachable(batch: list[Any], exc: BaseException, result: SendResult) -> None:
    """The server could not be reached: every message of this run counts a failed attempt."""
    ids = [row.id for row in batch]
    error = _describe(exc)
    failed = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.status == NotificationStatus.PENDING)
        .values(attempts=Notification.attempts + 1, last_error=error)
        .execution_options(synchronize_session=False)).rowcount
    gave_up = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.status == NotificationStatus.PENDING,
               Notification.attempts >= MAX_ATTEMPTS)
        .values(status=NotificationStatus.FAILED)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    result.failed += failed
    result.gave_up += gave_up
    result.error = error


def _describe(exc: BaseException) -> str:
    text = str(exc) or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {text}"[:500]



def pending_count() -> int:
    return db.session.scalar(select(func.count(Notification.id))
                             .where(Notification.status == NotificationStatus.PENDING)) or 0


def send_pending(*, smtp_url: str | None, limit: int = 500,
                 track: Callable[[list[Any]], AbstractContextManager[Iterable[Any]]]
                 = contextlib.nullcontext) -> SendResult:
    """Send up to ``limit`` pending messages, oldest first; returns the counts.

    Without an SMTP URL nothing is sent: the rows stay pending, visible on /admin/outbox.
    Commits once per message (see the module docstring); call it after committing your own
    work. Raises SmtpUrlError, touching nothing, when the URL cannot be used. ``track``
    wraps the batch being sent, as a command's progress bar does.
    """
    result = SendResult()
    if not smtp_url:
        result.waiting = pending_count()
        return result
    target = parse_smtp_url(smtp_url)
    from_addr = current_app.config.get("NOTIFY_FROM") or "service-desk@localhost"
    # the envelope sender is the bare address: a display name such as "经开区便民服务平台
    # <desk@…>" belongs in the From header only (else smtplib would demand SMTPUTF8)
    envelope_from = parseaddr(from_addr)[1] or from_addr
    dialect = db.session.get_bind().dialect.name
    batch = list(db.session.execute(
        select(Notification.id, Notification.attempts)
        .where(Notification.status == NotificationStatus.PENDING,
               # texts to residents' phones ("sms:…") go through sms_sender.py
               Notification.recipient.not_like(f"{SMS_PREFIX}%"))
        .order_by(Notification.id).limit(limit)))
    db.session.commit()  # end the read; each message gets its own transaction

    conn: smtplib.SMTP | None = None
    try:
        with track(batch) as rows:
            for index, seen in enumerate(rows):
                if conn is None:
                    try:
                        conn = _connect(target)
                    except (OSError, smtplib.SMTPException) as exc:
                        _record_unreachable(batch[index:], exc, result)
                        break
                if not _claim(seen.id, seen.attempts, dialect):
                    db.session.rollback()
                    continue
                row = db.session.execute(
                    select(Notification.recipient, Notification.subject, Notification.body,
                           Notification.dedupe_key, Notification.attempts)
                    .where(Notification.id == seen.id)).one()
                try:
                    conn.send_message(_message(row, from_addr), from_addr=envelope_from,
                                      to_addrs=[row.recipient])
                except smtplib.SMTPServerDisconnected as exc:
                    _record_failure(seen.id, row.attempts, exc, result)
                    conn = None  # reconnect for the next message
                except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused,
                        smtplib.SMTPNotSupportedError, ValueError, TypeError) as exc:
                    # this message was refused; the connection is still good for the next one
                    _record_failure(seen.id, row.attempts, exc, result)
                except OSError as exc:  # timeouts, resets
                    _record_failure(seen.id, row.attempts, exc, result)
                    conn.close()
                    conn = None
                else:
                    _mark(seen.id, status=NotificationStatus.SENT, sent_at=utcnow())
                    result.sent += 1
                db.session.commit()
    finally:
        if conn is not None:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()
    result.waiting = pending_count()
    return result
