"""Thin views over rectifications of bad ratings (差评整改): the list, the detail with the steps
this user may take now, and the audited view of the resident's full phone number."""
from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.models import Role
from ..audit.services import audit_record
from ..base.deadlines import days_overdue
from ..base.paging import page_arg
from ..catalog.models import ServiceKind
from ..db import utcnow
from ..extensions import db
from ..permissions import (
    can_decide_appeal,
    can_list_rectifications,
    can_view_booking,
    can_view_rectification,
    can_view_request,
    can_work_rectification,
    has_role,
    require,
    role_required,
)
from ..ratings.labels import LEVEL_LABELS
from ..ratings.models import Rectification, RectificationStatus
from ..ratings.services import (
    RatingError,
    StaleRectification,
    rectification_appeal,
    rectification_callback,
    rectification_close,
    rectification_decide,
)
from . import bp
from .forms import OUTCOMES, STEPS, PhoneForm, StepForm
from .labels import DONE, EVENT_LABELS, STATE_LABELS, STATUS_LABELS
from .queries import (
    STATES,
    RectDetail,
    RectFilters,
    is_due_soon,
    is_overdue,
    open_count,
    rectification_detail,
    rectification_timeline,
    rectification_units,
    rectifications_page,
)

ROLES = (Role.STAFF, Role.SUPERVISOR, Role.ADMIN)
# the order the forms appear on the page
ORDER = ("callback", "close", "appeal", "decide")


@bp.app_context_processor
def _nav_badge() -> dict:
    """How many rectifications the signed-in staff member's unit has open (the nav's badge);
    counted only when a page asks, once per request."""

    def count() -> int:
        if "open_rectifications" not in g:
            user = current_user
            g.open_rectifications = (open_count(user.unit_id) if has_role(user, Role.STAFF)
                                     and user.unit_id is not None else 0)
        return g.open_rectifications

    return {"open_rectifications": count}


@bp.get("")
@role_required(*ROLES)
def index():
    require(can_list_rectifications(current_user))
    staff = current_user.role is Role.STAFF
    state = request.args.get("state")
    filters = RectFilters(state=state if state in STATES else None,
                          unit=None if staff else (request.args.get("unit") or None))
    now = utcnow()
    page = rectifications_page(filters=filters, page=page_arg(), now=now,
                               per_page=current_app.config["PAGE_SIZE"],
                               only_unit_id=current_user.unit_id if staff else None)
    return render_template(
        "rectifications/index.html", page=page, filters=filters, states=STATES,
        state_labels=STATE_LABELS, status_labels=STATUS_LABELS, level_labels=LEVEL_LABELS,
        units=[] if staff else rectification_units(), staff=staff, now=now,
        is_overdue=is_overdue, is_due_soon=is_due_soon)


def _may(step: str, rect: Rectification) -> bool:
    if step == "decide":
        return can_decide_appeal(current_user)
    return can_work_rectification(current_user, rect)


def _steps(rect: Rectification) -> list[str]:
    """The steps possible now, whoever may take them."""
    if rect.status is RectificationStatus.OPEN:
        steps = ["close"]
        if rect.called_back_at is None:
            steps.insert(0, "callback")
        if rect.appealed_at is None:
            steps.append("appeal")
        return steps
    if rect.status is RectificationStatus.APPEALED:
        return ["decide"]
    return []


def _request_url(d: RectDetail) -> str | None:
    """The request's own page (schedule booking or dispatched request), if this user may see it."""
    if d.service.kind is ServiceKind.APPOINTMENT:
        if has_role(current_user, *ROLES) and can_view_booking(current_user, d.request):
            return url_for("schedule.booking", reference=d.request.reference)
        return None
    if can_view_request(current_user, d.request):
        return url_for("dispatch.detail", reference=d.request.reference)
    return None


def _detail(d: RectDetail, *, submitted: tuple[str, StepForm] | None = None,
            error: str | None = None, show_phone: bool = False, status: int = 200):
    forms: dict[str, StepForm] = {}
    for step in ORDER:
        if step in _steps(d.rect) and _may(step, d.rect):
            if submitted is not None and submitted[0] == step:
                form = submitted[1]
            else:
                form = STEPS[step](formdata=None)
            form.version.data = str(d.rect.version)  # a stale form comes back current
            forms[step] = form
    unsaved: list[str] = []
    if submitted is not None and submitted[0] not in forms:
        # the step is no longer possible: say why without its form, and keep what was typed
        if error is None:
            error = " ".join(str(e) for errors in submitted[1].errors.values()
                             for e in errors) or None
        unsaved = [f.data for f in submitted[1] if f.type == "TextAreaField" and f.data]
    now = utcnow()
    return render_template(
        "rectifications/detail.html", d=d, rect=d.rect, rating=d.rating, item=d.request,
        forms=forms, error=error, unsaved=unsaved, show_phone=show_phone, phone_form=PhoneForm(formdata=None),
        request_url=_request_url(d), timeline=rectification_timeline(d.request.id),
        status_labels=STATUS_LABELS, level_labels=LEVEL_LABELS, event_labels=EVENT_LABELS,
        overdue=is_overdue(d.rect, now), due_soon=is_due_soon(d.rect, now),
        days_overdue=days_overdue(d.rect.due_at, now),
    ), status, {"Cache-Control": "no-store"}


def _found(rect_id: int) -> RectDetail:
    d = rectification_detail(rect_id)
    if d is None:
        abort(404)
    require(can_view_rectification(current_user, d.rect))
    return d


@bp.get("/<int:rect_id>")
@role_required(*ROLES)
def detail(rect_id: int):
    return _detail(_found(rect_id))


@bp.post("/<int:rect_id>/phone")
@role_required(*ROLES)
def phone(rect_id: int):
    """The resident's full number for the call-back, once per press, each view audited."""
    d = _found(rect_id)
    if not PhoneForm().validate_on_submit():
        abort(400)
    audit_record(actor=current_user, action="request.phone_view", obj_type="request",
                 obj_id=d.request.reference, after={"rectification": rect_id})
    db.session.commit()
    return _detail(_found(rect_id), show_phone=True)


def _apply(step: str, rect: Rectification, form: StepForm, expected: int | None) -> str:
    """Call the rule for ``step`` with the form's fields; returns the key of the done message."""
    actor = current_user._get_current_object()
    if step == "callback":
        rectification_callback(rect=rect, actor=actor, note=form.note.data,
                               expected_version=expected)
    elif step == "close":
        # an unknown or missing outcome: the rule refuses it with its own words
        outcome = OUTCOMES.get(form.outcome.data or "", RectificationStatus.OPEN)
        rectification_close(rect=rect, actor=actor, outcome=outcome, note=form.note.data,
                            expected_version=expected)
    elif step == "appeal":
        rectification_appeal(rect=rect, actor=actor, reason=form.reason.data,
                             expected_version=expected)
    else:
        uphold = form.decision.data == "uphold"
        rectification_decide(rect=rect, actor=actor, uphold=uphold, reason=form.reason.data,
                             expected_version=expected)
        return "uphold" if uphold else "reject"
    return step


@bp.post("/<int:rect_id>/<step>")
@role_required(*ROLES)
def act(rect_id: int, step: str):
    if step not in STEPS:
        abort(404)
    d = _found(rect_id)  # staff of another unit: 403 here
    require(_may(step, d.rect))
    form = STEPS[step]()
    if not form.validate_on_submit():
        return _detail(d, submitted=(step, form), status=422)
    try:
        expected = int(form.version.data or "")
    except ValueError:
        expected = None  # no version: treated as stale rather than overwriting blindly
    try:
        done = _apply(step, d.rect, form, expected)
        db.session.commit()
    except (StaleRectification, StaleDataError):
        db.session.rollback()
        return _detail(_found(rect_id), submitted=(step, form),
                       error=str(StaleRectification().message), status=409)
    except RatingError as exc:
        db.session.rollback()
        fresh = _found(rect_id)
        if exc.field and exc.field in form:
            form[exc.field].errors = [*form[exc.field].errors, str(exc.message)]
            return _detail(fresh, submitted=(step, form), status=422)
        return _detail(fresh, submitted=(step, form), error=str(exc.message), status=409)
    flash(str(DONE[done]), "success")
    return redirect(url_for("rectifications.detail", rect_id=rect_id))
