"""Thin views over dispatched requests: the list, the returned queue, the detail with its
lifecycle forms, and the audited view of a resident's full phone number."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectChoice

from ..accounts.models import Role
from ..audit.services import audit_record
from ..base.paging import page_arg
from ..db import utcnow
from ..extensions import db
from ..permissions import (
    STAFF_ROLES,
    can_call_back_request,
    can_list_requests,
    can_reassign_request,
    can_view_request,
    can_view_request_phone,
    can_work_request,
    require,
    role_required,
)
from ..requests.errors import RequestError, StaleRequest
from ..requests.labels import (
    CHANNEL_LABELS,
    EVENT_LABELS,
    GROUP_LABELS,
    REQUEST_TYPE_LABELS,
    SATISFACTION_LABELS,
    STATUS_LABELS,
)
from ..requests.lifecycle import (
    Action,
    action_check,
    allowed_actions,
    is_due_soon,
    is_overdue,
    request_accept,
    request_callback,
    request_handle,
    request_reassign,
    request_resolve,
    request_return,
)
from ..requests.models import RequestStatus, Satisfaction
from ..requests.queries import (
    STAFF_STATUSES,
    RequestFilters,
    active_units,
    request_detail,
    request_history,
    requests_page,
)
from ..units.models import Unit
from . import bp
from .forms import FORMS, ORDER, ActionForm, PhoneForm
from .labels import ACTION_DONE, ACTION_TITLES

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)


def _status_arg(allowed) -> RequestStatus | None:
    try:
        status = RequestStatus(request.args.get("status", ""))
    except ValueError:
        return None
    return status if status in allowed else None


def _list(*, returned_only: bool):
    staff = current_user.role is Role.STAFF
    statuses = STAFF_STATUSES if staff else (
        (RequestStatus.DISPATCHED, RequestStatus.ACCEPTED, RequestStatus.RETURNED,
         RequestStatus.RESOLVED, RequestStatus.CALLED_BACK))
    if returned_only:
        filters = RequestFilters(unit=request.args.get("unit") or None,
                                 status=RequestStatus.RETURNED)
    else:
        filters = RequestFilters(unit=None if staff else (request.args.get("unit") or None),
                                 status=_status_arg(statuses))
    page = requests_page(filters=filters, page=page_arg(), per_page=current_app.config["PAGE_SIZE"],
                         only_unit_id=current_user.unit_id if staff else None, statuses=statuses)
    return render_template(
        "dispatch/index.html", page=page, filters=filters, statuses=statuses,
        status_labels=STATUS_LABELS, type_labels=REQUEST_TYPE_LABELS,
        units=[] if staff else active_units(), staff=staff,
        returned_only=returned_only, now=utcnow(), is_overdue=is_overdue,
        is_due_soon=is_due_soon, may_reassign=can_reassign_request(current_user))


@bp.get("/")
@role_required(*STAFF_ROLES)
def index():
    require(can_list_requests(current_user))
    return _list(returned_only=False)


@bp.get("/returned")
@role_required(*SUPERVISORS)
def returned():
    return _list(returned_only=True)


def _may(item, action: Action) -> bool:
    if action is Action.REASSIGN:
        return can_reassign_request(current_user)
    if action is Action.CALLBACK:
        return can_call_back_request(current_user, item)
    return can_work_request(current_user, item)


def _unit_choices() -> list[SelectChoice]:
    return [SelectChoice("", _("Choose a unit"))] + [SelectChoice(u.code, u.name)
                                                     for u in active_units()]


def _detail(item, *, submitted: tuple[Action, ActionForm] | None = None, error: str | None = None,
            show_phone: bool = False, status: int = 200):
    forms: dict[Action, ActionForm] = {}
    for action in ORDER:
        if action in allowed_actions(item) and _may(item, action):
            if submitted is not None and submitted[0] is action:
                form = submitted[1]
            else:
                form = FORMS[action](formdata=None)
            form.version.data = str(item.version)
            if action is Action.REASSIGN:
                form.unit.choices = _unit_choices()
            forms[action] = form
    now = utcnow()
    return render_template(
        "dispatch/detail.html", item=item, history=request_history(item.id), forms=forms,
        titles=ACTION_TITLES, error=error, error_action=submitted[0] if submitted else None,
        show_phone=show_phone, phone_form=PhoneForm(formdata=None),
        may_see_phone=can_view_request_phone(current_user, item), status_labels=STATUS_LABELS,
        event_labels=EVENT_LABELS, channel_labels=CHANNEL_LABELS, group_labels=GROUP_LABELS,
        satisfaction_labels=SATISFACTION_LABELS, type_labels=REQUEST_TYPE_LABELS,
        overdue=is_overdue(item, now), due_soon=is_due_soon(item, now),
    ), status


def _found(reference: str):
    item = request_detail(reference)
    if item is None:
        abort(404)
    require(can_view_request(current_user, item))
    return item


@bp.get("/<reference>")
@role_required(*STAFF_ROLES)
def detail(reference: str):
    return _detail(_found(reference))


@bp.post("/<reference>/phone")
@role_required(*STAFF_ROLES)
def phone(reference: str):
    """The full number, once per press, each view audited."""
    item = _found(reference)
    require(can_view_request_phone(current_user, item))
    if not PhoneForm().validate_on_submit():
        abort(400)
    audit_record(actor=current_user, action="request.phone_view", obj_type="request",
                 obj_id=item.reference)
    db.session.commit()
    return _detail(_found(reference), show_phone=True)


def _apply(action: Action, item, form: ActionForm, expected: int) -> None:
    """Call the lifecycle rule for ``action`` with the form's fields."""
    actor = current_user._get_current_object()
    if action is Action.ACCEPT:
        request_accept(request=item, actor=actor, note=form.note.data, expected_version=expected)
    elif action is Action.HANDLE:
        request_handle(request=item, actor=actor, note=form.note.data, expected_version=expected)
    elif action is Action.RESOLVE:
        request_resolve(request=item, service=item.service, actor=actor, reply=form.reply.data,
                        expected_version=expected)
    elif action is Action.RETURN:
        request_return(request=item, actor=actor, reason=form.reason.data,
                       expected_version=expected)
    elif action is Action.REASSIGN:
        unit = db.session.scalar(select(Unit).where(Unit.code == form.unit.data)) \
            if form.unit.data else None
        request_reassign(request=item, service=item.service, unit=unit, actor=actor,
                         note=form.note.data, expected_version=expected)
    elif action is Action.CALLBACK:
        try:
            answer = Satisfaction(form.satisfaction.data or "")
        except ValueError:
            answer = None
        request_callback(request=item, actor=actor, satisfaction=answer, note=form.note.data,
                         expected_version=expected)


@bp.post("/<reference>/<action_name>")
@role_required(*STAFF_ROLES)
def act(reference: str, action_name: str):
    try:
        action = Action(action_name)
    except ValueError:
        abort(404)
    item = _found(reference)  # staff of another unit: 403 here
    require(_may(item, action))
    form = FORMS[action]()
    if action is Action.REASSIGN:
        form.unit.choices = _unit_choices()
    try:
        expected = int(form.version.data or "")
    except ValueError:
        expected = -1  # no version: treat as stale rather than overwrite blindly
    try:
        action_check(item, action, expected)
    except RequestError as exc:  # stale, or not allowed in this status: nothing changes
        return _detail(item, submitted=(action, form), error=str(exc.message), status=409)
    if not form.validate_on_submit():
        return _detail(item, submitted=(action, form), status=422)
    try:
        _apply(action, item, form, expected)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return _detail(_found(reference), submitted=(action, form),
                       error=str(StaleRequest().message), status=409)
    except RequestError as exc:
        db.session.rollback()
        item = _found(reference)
        if exc.field and exc.field in form:
            form[exc.field].errors = [*form[exc.field].errors, str(exc.message)]
            return _detail(item, submitted=(action, form), status=422)
        return _detail(item, submitted=(action, form), error=str(exc.message), status=409)
    flash(str(ACTION_DONE[action]), "success")
    return redirect(url_for("dispatch.detail", reference=reference))
