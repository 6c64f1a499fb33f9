"""Write an audit event in the caller's transaction.

``audit_row`` is the same row as plain values, for a hot path that inserts it with Core and
never reads it back (a booking writes it with db.insert_rows, issue 13)."""
from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from sqlalchemy import Table

from ..extensions import db
from .models import AuditEvent


def audit_row(
    *,
    actor: Any,
    action: str,
    obj_type: str | None = None,
    obj_id: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> tuple[Table, dict[str, Any]]:
    """The table and values of the event ``audit_record`` records; ``actor`` is a User, None
    (anonymous) or a label such as "cli"."""
    if actor is None or isinstance(actor, str):
        actor_id, label = None, actor or "anonymous"
    else:
        actor_id, label = actor.id, actor.username
    return AuditEvent.__table__, {
        "actor_id": actor_id, "actor_label": label, "action": action, "object_type": obj_type,
        "object_id": None if obj_id is None else str(obj_id), "before": before, "after": after,
        "ip": request.remote_addr if has_request_context() else None}


def audit_record(**event: Any) -> AuditEvent:
    """Record who did what, in the session: ``audit_row``'s arguments (``actor`` is a User,
    None for anonymous, or a label such as "cli")."""
    _, values = audit_row(**event)
    row = AuditEvent(**values)
    db.session.add(row)
    return row
