"""Compose outbox rows: a text to a phone or a mail to an address, queued in the caller's
transaction and delivered later by `service-desk notify`. Imports no feature package: the
features draft their messages and hand them over here.

Each row has a dedupe key, so the same message is never queued twice; the UNIQUE constraint
on ``notifications.dedupe_key`` is what really guards against two runs at once, and
``queue_new`` skips conflicting rows instead of failing.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Table, insert, select

from ..extensions import db
from .models import Notification

# texts to residents' phones: sent by sms_sender.py, never by the mail sender
SMS_PREFIX = "sms:"
# at most this many dedupe keys in one IN (...) list (drivers cap bound parameters)
KEY_CHUNK = 5000


@dataclass(frozen=True)
class Draft:
    """One message to queue: ``recipient`` is a mail address or ``sms:<phone>``."""

    kind: str
    recipient: str
    subject: str
    body: str
    dedupe_key: str
    # a text's variables for a provider's template (see queue_text)
    params: Mapping[str, str] | None = None


def _params_json(params: Mapping[str, str] | None) -> str | None:
    return json.dumps(dict(params), ensure_ascii=False) if params else None


def one_line(text: str) -> str:
    """A subject is one header line: line breaks (Excel's Alt+Enter in an imported title) and
    runs of white space become one space, or the mail library refuses the whole message."""
    return " ".join((text or "").split())


def queue_text(*, kind: str, phone: str, subject: str, body: str, dedupe_key: str,
               urgent: bool = False, params: Mapping[str, str] | None = None) -> None:
    """Queue a text message to ``phone``; the caller flushes and commits.

    ``urgent``: it confirms what the resident has just done, so it may go out during quiet
    hours (anything else waits for the morning). ``params``: the variables of the provider's
    template for this kind (Alibaba Cloud's TemplateParam), e.g. {"ref": "A1B2C3"}.
    """
    _, values = text_row(kind=kind, phone=phone, subject=subject, body=body,
                         dedupe_key=dedupe_key, urgent=urgent, params=params)
    db.session.add(Notification(**values))


def text_row(*, kind: str, phone: str, subject: str, body: str, dedupe_key: str,
             urgent: bool = False,
             params: Mapping[str, str] | None = None) -> tuple[Table, dict]:
    """The table and values of the outbox row ``queue_text`` queues, for a hot path that
    inserts it with Core (a booking, issue 13). A dedupe key already queued fails that
    insert, as it fails the flush."""
    return Notification.__table__, {
        "kind": kind, "recipient": f"{SMS_PREFIX}{phone}", "subject": one_line(subject),
        "body": body, "dedupe_key": dedupe_key, "urgent": urgent,
        "params": _params_json(params)}


def queue_mail(*, kind: str, to: str, subject: str, body: str, dedupe_key: str) -> None:
    """Queue a mail to the address ``to``; the caller flushes and commits."""
    db.session.add(Notification(kind=kind, recipient=to, subject=one_line(subject), body=body,
                                dedupe_key=dedupe_key))


def _existing_keys(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), KEY_CHUNK):
        chunk = keys[start:start + KEY_CHUNK]
        found.update(db.session.scalars(
            select(Notification.dedupe_key).where(Notification.dedupe_key.in_(chunk))))
    return found


def _insert_skipping_duplicates(drafts: list[Draft]) -> int:
    """Insert the rows; one already there (another run got first) is skipped, not an error.

    Returns how many rows this call really inserted.
    """
    rows = [{"kind": d.kind, "recipient": d.recipient, "subject": one_line(d.subject),
             "body": d.body, "dedupe_key": d.dedupe_key, "params": _params_json(d.params)}
            for d in drafts]
    if not rows:
        return 0
    table = Notification.__table__
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # other backends: the dedupe check before, then the UNIQUE constraint
        db.session.execute(insert(table), rows)
        return len(rows)
    stmt = (dialect_insert(table)
            .on_conflict_do_nothing(index_elements=[table.c.dedupe_key])
            .returning(table.c.id))
    return len(db.session.execute(stmt, rows).all())


def queue_new(drafts: Iterable[Draft]) -> int:
    """Queue every draft whose dedupe key is not in the outbox yet (the first of equal keys
    wins); returns how many rows were queued. Two statements whatever the number of drafts
    (a look-up of existing keys, one multi-row insert; more only past thousands of keys).
    Flushes; the caller commits."""
    unique: dict[str, Draft] = {}
    for draft in drafts:
        unique.setdefault(draft.dedupe_key, draft)
    if not unique:
        return 0
    existing = _existing_keys(list(unique))
    queued = _insert_skipping_duplicates([d for k, d in unique.items() if k not in existing])
    db.session.flush()
    return queued
