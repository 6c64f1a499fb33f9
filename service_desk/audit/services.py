"""Write an audit event in the caller's transaction."""
from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from ..extensions import db
from .models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    obj_type: str | None = None,
    obj_id: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record who did what; ``actor`` is a User, None (anonymous) or a label such as "cli"."""
    if actor is None or isinstance(actor, str):
        actor_id, label = None, actor or "anonymous"
    else:
        actor_id, label = actor.id, actor.username
    event = AuditEvent(
        actor_id=actor_id,
        actor_label=label,
        action=action,
        object_type=obj_type,
        object_id=None if obj_id is None else str(obj_id),
        before=before,
        after=after,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event
