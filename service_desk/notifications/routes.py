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

# the kinds the features queue, by the string stored in the row (the outbox imports no
# feature); a kind not named here is shown as stored
KIND_LABELS = {
    "matter-due-soon": _l("Item due soon"),  # matters/reminders.py
    "matter-overdue": _l("Item overdue"),
    "notice-reply-due": _l("Notice reply due"),
    "notice-late": _l("Notice reply late"),
    "notice-issued": _l("Supervision notice issued"),  # supervision/services.py
    "appointment-booked": _l("Appointment booked"),  # requests/texts.py
    "appointment-rescheduled": _l("Appointment moved"),
    "appointment-cancelled": _l("Appointment cancelled"),
    "appointment-completed": _l("Appointment completed"),
    "appointment-moved-by-us": _l("Appointment moved by us"),
    "appointment-cancelled-by-us": _l("Appointment cancelled by us"),
    "appointment-reminder": _l("Appointment reminder"),
    "request-received": _l("Request received"),
    "request-resolved": _l("Request resolved"),
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
        bad_status=bad_status, statuses=STATUS_LABELS, kinds=KIND_LABELS,
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
        flash(_("The message is queued again; the next service-desk notify sends it."),
              "success")
    return redirect(url_for("outbox.index", status=request.form.get("status") or None))
