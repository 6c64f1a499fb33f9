"""An administrator puts a failed message back in the queue, with its tries counted afresh."""
from __future__ import annotations

from typing import Any

from ..audit.services import audit_record
from ..extensions import db
from .models import Notification, NotificationStatus


class OutboxError(Exception):
    """The message cannot be retried; ``str()`` is a message for the administrator."""


def outbox_retry(*, notification_id: int, actor: Any) -> Notification:
    """Pending again, now, with no try spent; the last error stays visible until replaced.
    Flushes; the caller commits."""
    row = db.session.get(Notification, notification_id, with_for_update=True)
    if row is None:
        raise OutboxError("not found")
    if row.status is not NotificationStatus.FAILED:
        raise OutboxError("not failed")
    before = {"status": row.status.value, "attempts": row.attempts, "last_error": row.last_error}
    row.status = NotificationStatus.PENDING
    row.attempts = 0
    row.next_attempt_at = None
    db.session.flush()
    audit_record(actor=actor, action="outbox.retry", obj_type="notification", obj_id=row.id,
                 before=before, after={"status": row.status.value, "attempts": 0})
    return row
