"""The unit's day and week, and one booking: thin views that parse, call, commit once."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.models import Role, User
from ..base.calendar import local, today
from ..base.paging import page_arg
from ..db import utcnow
from ..extensions import db
from ..formfields import DATE_MESSAGE, parse_local_date
from ..i18n import when_text
from ..permissions import (
    can_choose_schedule_unit,
    can_handle_booking,
    can_view_booking,
    can_view_request_phone,
    can_view_schedule,
    require,
    role_required,
)
from ..requests.appointments import (
    ACTIVE,
    BOOKING_CHANGED,
    NOTE_REQUIRED,
    allowed_changes,
    booking_assign,
    booking_mark,
    is_home_visit,
    next_free,
    phone_viewed,
)
from ..requests.closures import booking_move
from ..requests.errors import RequestError, StaleRequest
from ..requests.models import RequestStatus, ServiceRequest
from ..units.models import Unit
from . import bp
from .forms import NEXT_FREE, AssignForm, MoveForm, PhoneForm, StatusForm, int_or_none
from .labels import (
    ACTION_LABELS,
    APPOINTMENT_STATUSES,
    CHANNEL_LABELS,
    EVENT_LABELS,
    GROUP_LABELS,
    STATUS_LABELS,
)
from .queries import (
    booking_detail,
    booking_history,
    day_schedule,
    schedule_units,
    unit_by_code,
    unit_closures,
    unit_staff,
    user_name,
    week_counts,
    week_start,
)

SCHEDULE_ROLES = (Role.STAFF, Role.SUPERVISOR, Role.ADMIN)
# the pages step a day or a week either way and convert to UTC: keep clear of the calendar's ends
SHOWN_DATES = (dt.date.min + dt.timedelta(days=14), dt.date.max - dt.timedelta(days=14))


def _date_arg(name: str) -> tuple[dt.date, bool]:
    """The date in ?name=, or today; the flag says a bad value (not a date, or one the pages
    cannot step from, like 9999-12-31) was replaced."""
    raw = request.args.get(name)
    if not raw:
        return today(), False
    parsed = parse_local_date(raw)
    if parsed is None or not SHOWN_DATES[0] <= parsed <= SHOWN_DATES[1]:
        return today(), True
    return parsed, False


def _page_unit() -> tuple[Unit | None, list[Unit], str | None]:
    """Whose schedule: staff always their own unit; supervisors and admins choose.

    Returns the unit, the choices (empty for staff) and the code to keep in links.
    """
    if not can_choose_schedule_unit(current_user):
        return current_user.unit, [], None
    units = schedule_units()
    code = request.args.get("unit") or None
    if code:
        unit = unit_by_code(code)
        if unit is None:
            abort(404)
        return unit, units, code
    unit = current_user.unit or (units[0] if units else None)
    return unit, units, None


def _labels() -> dict:
    return {"statuses": STATUS_LABELS, "groups": GROUP_LABELS, "actions": ACTION_LABELS,
            "note_required": NOTE_REQUIRED, "active": ACTIVE,
            "allowed_changes": allowed_changes}


@bp.get("")
@role_required(*SCHEDULE_ROLES)
def day():
    require(can_view_schedule(current_user))
    day, bad_date = _date_arg("day")
    unit, units, unit_code = _page_unit()
    schedule = day_schedule(unit=unit, day=day, page=page_arg()) if unit is not None else None
    closed = unit_closures(unit=unit, first=day, last=day).get(day, []) if unit else []
    return render_template(
        "schedule/day.html", schedule=schedule, closed=closed, day=day, today=today(), unit=unit, units=units,
        unit_code=unit_code, day_label=format_date(day, "full"),
        date_error=DATE_MESSAGE if bad_date else None,
        can_handle=lambda booking: can_handle_booking(current_user, booking),
        week_of=week_start(day), one_day=dt.timedelta(days=1), **_labels())


@bp.get("/week")
@role_required(*SCHEDULE_ROLES)
def week():
    require(can_view_schedule(current_user))
    start, bad_date = _date_arg("start")
    start = week_start(start)
    unit, units, unit_code = _page_unit()
    counts = week_counts(unit=unit, start=start) if unit is not None else None
    closed = (unit_closures(unit=unit, first=start, last=start + dt.timedelta(days=6))
              if unit is not None else {})
    return render_template(
        "schedule/week.html", counts=counts, closed=closed, start=start, unit=unit, units=units,
        unit_code=unit_code, this_week=week_start(today()), today=today(),
        start_label=format_date(start, "long"),
        end_label=format_date(start + dt.timedelta(days=6), "long"),
        date_error=DATE_MESSAGE if bad_date else None, seven_days=dt.timedelta(days=7),
        statuses=STATUS_LABELS, week_statuses=APPOINTMENT_STATUSES,
        day_name=lambda d: format_date(d, "full"))


def _booking(reference: str) -> ServiceRequest:
    item = booking_detail(reference)
    if item is None:
        abort(404)
    return item


def _day_url(item: ServiceRequest) -> str:
    """Back to the booking's day; supervisors and admins keep the unit they were looking at."""
    code = item.unit.code if item.unit is not None and can_choose_schedule_unit(current_user) else None
    day = local(item.starts_at).date() if item.starts_at else today()
    return url_for("schedule.day", day=day.isoformat(), unit=code)


def _booking_page(item: ServiceRequest, *, status_form: StatusForm | None = None,
                  assign_form: AssignForm | None = None, move_form: MoveForm | None = None,
                  error: str | None = None,
                  full_phone: str | None = None, code: int = 200):
    may_handle = can_handle_booking(current_user, item)
    allowed = allowed_changes(item, item.service)
    if may_handle and allowed:
        if status_form is None:
            wanted = request.args.get("action")
            status_form = StatusForm(formdata=None, version=str(item.version),
                                     status=wanted if wanted in {s.value for s in allowed} else None)
        status_form.restrict(allowed)
    elif status_form is not None:
        # nothing can be changed any more: say why without the form
        error = error or " ".join(str(e) for e in [*status_form.status.errors, *status_form.note.errors])
        status_form = None
    if may_handle and is_home_visit(item.service) and item.status in ACTIVE:
        if assign_form is None:
            assign_form = AssignForm(formdata=None, version=str(item.version),
                                     assignee=item.assignee_id)
        assign_form.offer(unit_staff(item.unit_id))
    else:
        assign_form = None
    if may_handle and item.status is RequestStatus.BOOKED:
        if move_form is None:
            move_form = MoveForm(formdata=None, version=str(item.version), when=NEXT_FREE)
        move_form.offer(_move_times(item))
    else:
        move_form = None
    response = render_template(
        "schedule/booking.html", item=item, service=item.service, status_form=status_form,
        assign_form=assign_form, move_form=move_form, error=error, full_phone=full_phone,
        phone_form=PhoneForm(formdata=None) if can_view_request_phone(current_user, item) else None,
        history=booking_history(item.id), assignee_name=user_name(item.assignee_id),
        start=local(item.starts_at), end=local(item.ends_at), back_url=_day_url(item),
        is_home=is_home_visit(item.service), events=EVENT_LABELS,
        channels={c.value: label for c, label in CHANNEL_LABELS.items()},
        **_labels())
    return response, code, {"Cache-Control": "no-store"}


@bp.get("/<reference>")
@role_required(*SCHEDULE_ROLES)
def booking(reference: str):
    item = _booking(reference)
    require(can_view_booking(current_user, item))
    return _booking_page(item)


@bp.post("/<reference>/status")
@role_required(*SCHEDULE_ROLES)
def status(reference: str):
    item = _booking(reference)
    require(can_handle_booking(current_user, item))
    form = StatusForm()
    if not form.validate_on_submit():
        return _booking_page(item, status_form=form, code=422)
    new_status = RequestStatus(form.status.data)
    # read before the commit expires the booking (its relationships never lazy-load)
    back, ref = _day_url(item), item.reference
    try:
        booking_mark(request=item, service=item.service, status=new_status, note=form.note.data,
                     actor=current_user, expected_version=int_or_none(form.version.data))
        db.session.commit()
    except (StaleRequest, StaleDataError):
        db.session.rollback()
        item = _booking(reference)
        fresh = StatusForm(formdata=None, version=str(item.version), note=form.note.data)
        return _booking_page(item, status_form=fresh, error=str(BOOKING_CHANGED), code=409)
    except RequestError as exc:
        db.session.rollback()
        item = _booking(reference)
        return _booking_page(item, status_form=_with_error(form, exc),
                             error=None if exc.field in form else str(exc.message), code=422)
    flash(_("Booking %(ref)s: %(status)s.", ref=ref, status=STATUS_LABELS[new_status]), "success")
    return redirect(back)


@bp.post("/<reference>/assign")
@role_required(*SCHEDULE_ROLES)
def assign(reference: str):
    item = _booking(reference)
    require(can_handle_booking(current_user, item))
    form = AssignForm()
    if not form.validate_on_submit():
        return _booking_page(item, assign_form=form, code=422)
    assignee = db.session.get(User, form.assignee.data) if form.assignee.data else None
    back, ref = _day_url(item), item.reference
    name = (assignee.display_name or assignee.username) if assignee is not None else ""
    try:
        booking_assign(request=item, service=item.service, assignee=assignee, actor=current_user,
                       expected_version=int_or_none(form.version.data))
        db.session.commit()
    except (RequestError, StaleDataError) as exc:
        return _refused(reference, exc, "assign_form", form)
    flash(_("Booking %(ref)s is assigned to %(name)s.", ref=ref, name=name), "success")
    return redirect(back)


MOVE_CHOICES = 8


def _move_times(item: ServiceRequest) -> list[tuple[str, str]]:
    now = utcnow()
    return [(slot.start.isoformat(), when_text(slot.start))
            for slot in next_free(item.service, after=now, now=now, limit=MOVE_CHOICES)
            if slot.start != item.starts_at]


def _chosen_start(value: str | None) -> dt.datetime | None:
    """None for "the next free time"; a time the booking rules then check is offered."""
    if value == NEXT_FREE:
        return None
    try:
        start = dt.datetime.fromisoformat(value or "")
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        raise RequestError(_("Choose one of the times shown."), "when")
    return start.astimezone(dt.UTC)


@bp.post("/<reference>/move")
@role_required(*SCHEDULE_ROLES)
def move(reference: str):
    """Staff who cannot keep a booking (a home visit they cannot make) move it, with the
    reason, and the resident gets a text."""
    item = _booking(reference)
    require(can_handle_booking(current_user, item))
    form = MoveForm()
    if not form.validate_on_submit():
        return _booking_page(item, move_form=form, code=422)
    back, ref = _day_url(item), item.reference
    try:
        _old, new = booking_move(request=item, actor=current_user, reason=form.reason.data,
                              start=_chosen_start(form.when.data),
                              expected_version=int_or_none(form.version.data))
        db.session.commit()
    except (RequestError, StaleDataError) as exc:
        return _refused(reference, exc, "move_form", form)
    flash(_("Booking %(ref)s is moved to %(when)s; the resident was sent a text.", ref=ref,
            when=when_text(new)), "success")
    return redirect(back)


@bp.post("/<reference>/phone")
@role_required(*SCHEDULE_ROLES)
def phone(reference: str):
    """The resident's full number, shown once per request and recorded in the audit trail."""
    item = _booking(reference)
    require(can_view_booking(current_user, item) and can_view_request_phone(current_user, item))
    if not PhoneForm().validate_on_submit():
        abort(400)
    phone_viewed(request=item, actor=current_user)
    db.session.commit()
    item = _booking(reference)
    return _booking_page(item, full_phone=item.resident_phone)


def _refused(reference: str, exc: Exception, form_name: str, form):
    """The booking page again after a refused change: 409 when someone changed the booking
    meanwhile, else 422 with the message beside its field (or above the form)."""
    db.session.rollback()
    item = _booking(reference)
    if isinstance(exc, (StaleRequest, StaleDataError)):
        return _booking_page(item, error=str(BOOKING_CHANGED), code=409)
    return _booking_page(item, **{form_name: _with_error(form, exc)},
                         error=None if exc.field in form else str(exc.message), code=422)


def _with_error(form, exc: RequestError):
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, str(exc.message)]
    return form
