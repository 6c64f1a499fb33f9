"""Check-in at the hall: staff scan or type a resident's reference and mark the booking
arrived in one step. Thin views: the arrival itself is `requests.appointments.booking_mark`
(its rules, history and audit), the access check `permissions.can_handle_booking`.

A handheld scanner types the code and presses Enter, so the look-up is a plain GET form that
works without script; the page then offers one button. Only today's hall appointments of the
staff member's own unit are checked in here; anything else gets a sentence saying why, and a
booking of another unit reads exactly like an unknown reference (nothing about it shows).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField, SubmitField

from ..accounts.models import Role
from ..base.calendar import local, today
from ..base.display import normalise_reference, spaced_reference
from ..extensions import db
from ..i18n import when_text
from ..permissions import can_handle_booking, can_view_schedule, require, role_required
from ..requests.appointments import BOOKING_CHANGED, booking_mark, is_home_visit
from ..requests.errors import RequestError, StaleRequest
from ..requests.models import RequestStatus, ServiceRequest
from . import bp
from .forms import int_or_none
from .labels import GROUP_LABELS, STATUS_LABELS
from .queries import booking_detail, booking_history

# who marks a booking arrived (permissions.can_handle_booking): the unit's staff, administrators
CHECKIN_ROLES = (Role.STAFF, Role.ADMIN)
# this page alone may use the camera (scan-reference.js); security.py denies it everywhere else
CAMERA_ALLOWED = "camera=(self), microphone=(), geolocation=()"
REFERENCE_MAX = 40  # a reference is 8 characters; room for spaces, dashes and a scanner's prefix


class ArriveForm(FlaskForm):
    version = HiddenField()
    submit = SubmitField(_l("Mark arrived"))


@dataclass
class Found:
    """What the look-up found: the booking (None: nothing to show) and why it cannot be
    checked in (None: it can)."""

    item: ServiceRequest | None
    problem: str | None


def _arrived_at(item: ServiceRequest) -> str:
    marks = [h.event.at for h in booking_history(item.id) if h.event.action == "arrived"]
    return when_text(marks[-1]) if marks else ""


def _problem(item: ServiceRequest) -> str | None:
    """Why this booking cannot be checked in now; None when it can."""
    status = item.status
    if status is RequestStatus.CANCELLED:
        return _("This booking was cancelled: there is nothing to check in.")
    if status is RequestStatus.ARRIVED:
        return _("Already checked in: marked arrived at %(time)s.", time=_arrived_at(item))
    if status is not RequestStatus.BOOKED:
        return _("This booking is already closed (%(status)s).", status=STATUS_LABELS[status])
    if is_home_visit(item.service):
        return _("This is a home visit, not a hall appointment: it is not checked in at the hall.")
    if item.starts_at is None or local(item.starts_at).date() != today():
        when = when_text(item.starts_at) if item.starts_at else ""
        return _("This booking is for %(when)s, not today: it cannot be checked in today.",
                 when=when)
    return None


def _find(raw: str) -> Found:
    """A booking the signed-in user may check in, by what was typed or scanned."""
    code = normalise_reference(raw[:REFERENCE_MAX])
    item = booking_detail(code) if code else None
    if item is None or not can_handle_booking(current_user, item):
        # the same words for an unknown code and another unit's booking: nothing leaks
        unit = current_user.unit.name if current_user.unit is not None else ""
        message = (_("No booking of %(unit)s has the reference %(ref)s. Check the code and try "
                     "again.", unit=unit, ref=spaced_reference(code)) if unit else
                   _("No booking has the reference %(ref)s. Check the code and try again.",
                     ref=spaced_reference(code)))
        return Found(item=None, problem=message)
    return Found(item=item, problem=_problem(item))


def _page(found: Found | None, typed: str, *, code: int = 200):
    form = None
    if found is not None and found.item is not None and found.problem is None:
        form = ArriveForm(formdata=None, version=str(found.item.version))
    return render_template(
        "schedule/checkin.html", found=found, typed=typed, form=form,
        reference_max=REFERENCE_MAX, statuses=STATUS_LABELS, groups=GROUP_LABELS,
        start=local(found.item.starts_at) if found and found.item and found.item.starts_at else None,
        end=local(found.item.ends_at) if found and found.item and found.item.ends_at else None,
    ), code, {"Cache-Control": "no-store", "Permissions-Policy": CAMERA_ALLOWED}


@bp.get("/checkin")
@role_required(*CHECKIN_ROLES)
def checkin():
    require(can_view_schedule(current_user))
    typed = (request.args.get("ref") or "").strip()
    if not typed:
        return _page(None, "")
    if not normalise_reference(typed[:REFERENCE_MAX]):
        return _page(Found(item=None, problem=_("Type or scan a reference code, like AB3D 7KMN.")),
                     typed, code=422)
    found = _find(typed)
    return _page(found, typed, code=404 if found.item is None else 200)


@bp.post("/checkin/<reference>")
@role_required(*CHECKIN_ROLES)
def checkin_arrive(reference: str):
    require(can_view_schedule(current_user))
    found = _find(reference)
    if found.item is None or found.problem is not None:
        # looked at again: someone else checked it in, or the day turned, meanwhile
        return _page(found, reference, code=404 if found.item is None else 409)
    form = ArriveForm()
    if not form.validate_on_submit():  # the CSRF token is missing or stale
        return _page(Found(item=found.item, problem=_("The form expired. Please try again.")),
                     reference, code=400)
    item = found.item
    ref, name = item.reference, item.resident_name
    try:
        booking_mark(request=item, service=item.service, status=RequestStatus.ARRIVED, note=None,
                     actor=current_user, expected_version=int_or_none(form.version.data))
        db.session.commit()
    except (RequestError, StaleDataError) as exc:
        db.session.rollback()
        again = _find(reference)  # as it is now, with what stopped the change
        stale = isinstance(exc, (StaleRequest, StaleDataError))
        why = str(BOOKING_CHANGED) if stale else str(exc.message)
        return _page(Found(item=again.item, problem=again.problem or why), reference, code=409)
    flash(_("Checked in: %(name)s, booking %(ref)s, is marked arrived.", name=name,
            ref=spaced_reference(ref)), "success")
    return redirect(url_for("schedule.checkin"))
