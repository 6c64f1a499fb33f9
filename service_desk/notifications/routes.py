"""The outbox page for administrators: what was queued, sent, or waits, and why it failed."""
from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..base.paging import page_arg
from ..permissions import STAFF_ROLES, can_read_outbox, require, role_required
from . import bp
from .models import NotificationStatus
from .queries import outbox_counts, outbox_page

STATUS_LABELS = {
    NotificationStatus.PENDING: _l("Waiting"),
    NotificationStatus.SENT: _l("Sent"),
    NotificationStatus.FAILED: _l("Failed (given up)"),
}

# the kinds the features queue, by the string stored in the row (the outbox imports no
# feature); a kind not named here is shown as stored
KIND_LABELS = {
    "matter-due-soon": _l("Item due soon"),  # matters/reminders.py
    "matter-overdue": _l("Item overdue"),
    "notice-reply-due": _l("Notice reply due"),
    "notice-late": _l("Notice reply late"),
    "notice-issued": _l("Supervision notice issued"),  # supervision/services.py
}


@bp.get("")
@role_required(*STAFF_ROLES)
def index():
    require(can_read_outbox(current_user))
    raw_status = request.args.get("status", "")
    status = next((s for s in NotificationStatus if s.value == raw_status), None)
    bad_status = bool(raw_status) and status is None
    page = outbox_page(status=status, page=page_arg(),
                       per_page=current_app.config["PAGE_SIZE"])
    return render_template(
        "outbox/index.html", page=page, counts=outbox_counts(), status=status,
        bad_status=bad_status, statuses=STATUS_LABELS, kinds=KIND_LABELS,
        mail_configured=bool(current_app.config.get("SMTP_URL")),
    ), (400 if bad_status else 200)
