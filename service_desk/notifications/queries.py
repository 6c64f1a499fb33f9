"""Reads for the outbox page: three statements whatever the page size."""
from __future__ import annotations

from sqlalchemy import func, select

from ..base.paging import Page, paginate
from ..extensions import db
from .models import Notification, NotificationStatus


def outbox_page(*, status: NotificationStatus | None, page: int, per_page: int) -> Page:
    """Notifications newest first, optionally of one status (two statements)."""
    stmt = select(Notification)
    count = select(func.count(Notification.id))
    if status is not None:
        stmt = stmt.where(Notification.status == status)
        count = count.where(Notification.status == status)
    return paginate(stmt.order_by(Notification.created_at.desc(), Notification.id.desc()),
                    page=page, per_page=per_page, count=count)


def outbox_counts() -> dict[NotificationStatus, int]:
    """How many notifications of each status (one statement)."""
    counts = {s: 0 for s in NotificationStatus}
    for status, n in db.session.execute(
            select(Notification.status, func.count(Notification.id))
            .group_by(Notification.status)):
        counts[status] = n
    return counts
