"""The outbox page for administrators: what was queued, sent, or waits, and why it failed."""
from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..permissions import STAFF_ROLES, can_read_outbox, require, role_required
from . import bp
from .models import NotificationStatus
from .queries import outbox_counts, outbox_page
from .services import Kind

STATUS_LABELS = {
    NotificationStatus.PENDING: _l("Waiting"),
    NotificationStatus.SENT: _l("Sent"),
    NotificationStatus.FAILED: _l("Failed (given up)"),
}

KIND_LABELS = {
    Kind.DUE_SOON: _l("Item due soon"),
    Kind.OVERDUE: _l("Item overdue"),
    Kind.NOTICE_REPLY_DUE: _l("Notice reply due"),
    Kind.NOTICE_LATE: _l("Notice reply late"),
    "notice-issued": _l("Supervision notice issued"),  # written by supervision/
}


@bp.get("")
@role_required(*STAFF_ROLES)
def index():
    require(can_read_outbox(current_user))
    raw_status = request.args.get("status", "")
    status = next((s for s in NotificationStatus if s.value == raw_status), None)
    bad_status = bool(raw_status) and status is None
    page_number = max(1, request.args.get("page", 1, type=int) or 1)
    page = outbox_page(status=status, page=page_number,
                       per_page=current_app.config["PAGE_SIZE"])
    return render_template(
        "outbox/index.html", page=page, counts=outbox_counts(), status=status,
        bad_status=bad_status, statuses=STATUS_LABELS, kinds=KIND_LABELS,
        mail_configured=bool(current_app.config.get("SMTP_URL")),
    ), (400 if bad_status else 200)
