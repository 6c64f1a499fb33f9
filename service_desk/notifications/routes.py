"""The outbox page for administrators: what was queued, sent, or waits, and why it failed."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..base.paging import page_arg
from ..base.phones import mask_phone
from ..extensions import db
from ..permissions import STAFF_ROLES, can_read_outbox, require, role_required
from . import bp
from .labels import kind_label, shown_error
from .models import NotificationStatus
from .outbox import SMS_PREFIX
from .queries import outbox_counts, outbox_page
from .retry import OutboxError, outbox_retry
from .sms_backends import sms_choice

STATUS_LABELS = {
    NotificationStatus.PENDING: _l("Waiting"),
    NotificationStatus.SENT: _l("Sent"),
    NotificationStatus.FAILED: _l("Failed (given up)"),
}

def shown_recipient(recipient: str) -> str:
    """A resident's phone is masked in the list; staff mail addresses are shown."""
    if recipient.startswith(SMS_PREFIX):
        return _("Text to %(phone)s", phone=mask_phone(recipient[len(SMS_PREFIX):]))
    return recipient


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
        bad_status=bad_status, statuses=STATUS_LABELS, kind_label=kind_label,
        shown_error=shown_error,
        mail_configured=bool(current_app.config.get("SMTP_URL")),
        texts_configured=bool(sms_choice(current_app.config)), recipient=shown_recipient,
    ), (400 if bad_status else 200)


@bp.post("/<int:notification_id>/retry")
@role_required(*STAFF_ROLES)
def retry(notification_id: int):
    require(can_read_outbox(current_user))
    try:
        outbox_retry(notification_id=notification_id, actor=current_user)
    except OutboxError as exc:
        db.session.rollback()
        if str(exc) == "not found":
            abort(404)
        flash(_("Only a failed message can be sent again."), "error")
    else:
        db.session.commit()
        flash(_("The message is queued again; it goes out the next time the sending command "
                "runs."), "success")
    return redirect(url_for("outbox.index", status=request.form.get("status") or None))
