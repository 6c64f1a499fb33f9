"""Thin views of the hotline console: find a caller's requests, note the call, and book or
report on the caller's behalf with the same rules as the web (channel: phone)."""
from __future__ import annotations

import datetime as dt

from babel.lists import format_list
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_time, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from ..accounts.models import Role
from ..audit.services import audit_record
from ..base.calendar import local_day, start_of_day, today
from ..base.display import spaced_reference
from ..base.forms import apply_errors
from ..base.paging import page_arg
from ..base.phones import mask_phone, normalise_mobile
from ..catalog.hours import settings_of
from ..catalog.models import Channel, ServiceKind, ServiceLocation, SpecialGroup
from ..db import utcnow
from ..extensions import db
from ..permissions import can_use_hotline, require, role_required
from ..requests.appointments import appointment_book, next_free
from ..requests.availability import free_slots
from ..requests.calls import CallNoteError, call_note, call_open, call_request_add
from ..requests.eligibility import eligibility_check, groups_of
from ..requests.errors import DuplicateBooking, RequestError, SlotTaken
from ..requests.labels import GROUP_LABELS, REQUEST_TYPE_LABELS, STATUS_LABELS
from ..requests.lifecycle import report_create, report_text
from ..requests.models import RequestType
from ..requests.queries import active_units
from ..requests.residents import ResidentError, resident_check
from ..units.models import Unit
from . import bp
from .forms import BookForm, CallNoteForm, ReportForm, SearchForm
from .queries import active_service, call_references, caller_requests, calls_since, services_of
from .ratings import rating_column

OPERATORS = (Role.OPERATOR, Role.ADMIN)


@bp.context_processor
def _minute_times() -> dict:
    """The console shows times to the minute (local): seconds mean nothing on the phone."""
    def at_minute(moment: dt.datetime | None) -> str:
        return f"{format_date(moment, 'medium')} {format_time(moment, 'HH:mm')}" if moment else ""

    def clock(moment: dt.datetime | None) -> str:
        return format_time(moment, "HH:mm") if moment else ""

    return {"at_minute": at_minute, "clock": clock}


def _console(call_form: CallNoteForm | None = None, status: int = 200):
    search = SearchForm(request.args)
    raw = request.args.get("phone")
    phone, found, search_error = None, None, None
    if raw is not None:
        phone = normalise_mobile(raw)
        if phone is None:
            search_error = _("Enter the caller's mobile number: 11 digits, such as 13812345678.")
        else:
            found = caller_requests(phone=phone, page=page_arg(),
                                    per_page=current_app.config["PAGE_SIZE"])
            # the operator typed the number, so it shows in full here; the look-up is audited
            audit_record(actor=current_user, action="request.phone_search", obj_type="phone",
                         obj_id=mask_phone(phone), after={"results": found.total})
    call = call_open(operator=current_user)
    if call_form is None:
        call_form = CallNoteForm(formdata=None,
                                 caller_phone=call.caller_phone if call else phone or "")
    html = render_template(
        "hotline/console.html", search=search, phone=phone, found=found,
        search_error=search_error, call_form=call_form, call=call,
        call_made=call_references(call.id) if call else [],
        calls=calls_since(operator_id=current_user.id, since=start_of_day(today())),
        status_labels=STATUS_LABELS, type_labels=REQUEST_TYPE_LABELS,
        **rating_column(found.items if found else []))
    db.session.commit()  # after rendering: committing first would expire the rows shown
    return html, status


@bp.get("/")
@role_required(*OPERATORS)
def console():
    require(can_use_hotline(current_user))
    return _console()


@bp.post("/calls")
@role_required(*OPERATORS)
def call_new():
    form = CallNoteForm()
    if not form.validate_on_submit():
        return _console(call_form=form, status=422)
    try:
        call_note(operator=current_user._get_current_object(), phone=form.caller_phone.data,
                  name=form.caller_name.data, note=form.note.data,
                  reference=form.reference.data)
        db.session.commit()
    except CallNoteError as exc:
        db.session.rollback()
        for name, message in exc.errors.items():
            form[name].errors = [*form[name].errors, str(message)]
        return _console(call_form=form, status=422)
    flash(_("The call note was saved and the call ended."), "success")
    return redirect(url_for("hotline.console"))


def _group_of(raw: str | None) -> SpecialGroup | None:
    try:
        return SpecialGroup(raw) if raw else None
    except ValueError:
        return None  # resident_check names the bad value


def _rule_errors(*checks) -> dict[str, object]:
    """Run each check of a service rule; collect the refusals by field, so that one submit
    shows every error at once."""
    errors: dict[str, object] = {}
    for check in checks:
        try:
            check()
        except RequestError as exc:
            errors.setdefault(exc.field or "description", exc.message)
    return errors


def _after_call(call, resident_phone: str):
    """Back to the console with the caller's requests (the resident's when the caller rang
    from a landline): the call goes on."""
    phone = normalise_mobile(call.caller_phone) or resident_phone
    return redirect(url_for("hotline.console", phone=phone, _anchor="call-heading"))


# --- reporting a problem on the caller's behalf --------------------------------------------

def _service_label(service) -> str:
    groups = groups_of(service)
    if not groups:
        return service.name
    return _("%(service)s (for: %(groups)s)", service=service.name,
             groups=format_list([str(GROUP_LABELS[g]) for g in groups],
                                       locale=get_locale()))


def _report_choices(form: ReportForm) -> None:
    # every active service that takes reported problems (kind "dispatch")
    form.service.choices = [SelectChoice(s.code, _service_label(s))
                            for s in services_of(ServiceKind.DISPATCH)]
    form.unit.choices = [SelectChoice("", _("The service's own unit"))] + [
        SelectChoice(u.code, u.name) for u in active_units()]


@bp.route("/report", methods=["GET", "POST"])
@role_required(*OPERATORS)
def report():
    form = ReportForm() if request.method == "POST" else ReportForm(
        formdata=None, phone=request.args.get("phone", ""),
        caller=request.args.get("phone", ""))
    _report_choices(form)
    if request.method == "GET":
        return render_template("hotline/report.html", form=form)
    if not form.validate_on_submit():
        return render_template("hotline/report.html", form=form), 422
    # every check at once: the form's, the resident's, and the service's rules
    errors: dict = {}
    try:
        request_type = RequestType(form.request_type.data or "")
    except ValueError:
        request_type = None
        errors["request_type"] = _("Choose the type of request: complaint, enquiry, "
                                   "suggestion, request for help or praise.")
    service = active_service(form.service.data, ServiceKind.DISPATCH)
    if service is None:
        errors["service"] = _("Choose the service that handles this problem.")
    unit = None
    if form.unit.data:
        unit = db.session.scalar(select(Unit).where(Unit.code == form.unit.data))
        if unit is None:
            errors["unit"] = _("Choose one of the units listed.")
    resident = None
    try:
        resident = resident_check(name=form.name.data, phone=form.phone.data,
                                  address=form.address.data, group=form.group.data or None,
                                  needs=form.needs.data)
    except ResidentError as exc:
        errors.update(exc.errors)
    group = _group_of(form.group.data)
    errors = {**_rule_errors(
        lambda: report_text(form.description.data),
        lambda: eligibility_check(service, group) if service else None), **errors}
    if errors:
        apply_errors(form, errors)
        return render_template("hotline/report.html", form=form), 422
    operator = current_user._get_current_object()
    try:
        now = utcnow()
        item = report_create(service=service, resident=resident, description=form.description.data,
                             channel=Channel.PHONE, actor=operator, unit=unit, now=now,
                             request_type=request_type)
        call = call_request_add(operator=operator, caller=form.caller.data, request=item,
                                action="reported", now=now)
        reference = item.reference
        db.session.commit()
    except RequestError as exc:
        db.session.rollback()
        apply_errors(form, {exc.field or "description": exc.message}, fallback="description")
        return render_template("hotline/report.html", form=form), 422
    flash(_("Reported and dispatched. Read the reference to the caller: %(ref)s",
            ref=spaced_reference(reference)), "success")
    return _after_call(call, resident.phone)


# --- booking on the caller's behalf: service, day, time, details ------------------------------

def _parse_start(raw: str | None) -> dt.datetime | None:
    try:
        start = dt.datetime.fromisoformat((raw or "").strip().replace(" ", "+"))
    except ValueError:
        return None
    return start.astimezone(dt.UTC) if start.tzinfo else None


def _time_label(start: dt.datetime, end: dt.datetime) -> str:
    return f"{format_time(start, 'HH:mm')}–{format_time(end, 'HH:mm')}"


def _slot_choice(slot) -> dict:
    return {"value": slot.start.isoformat(), "time": _time_label(slot.start, slot.end),
            "day": format_date(slot.start, "full"), "remaining": slot.remaining}


def _book_page(step: str, *, service=None, status: int = 200, **context):
    return render_template("hotline/book.html", step=step, service=service,
                           phone=request.values.get("phone", ""), **context), status


@bp.get("/book")
@role_required(*OPERATORS)
def book():
    """One step per screen, carried in the query string: service, then day, then time."""
    code = request.args.get("service")
    service = active_service(code, ServiceKind.APPOINTMENT)
    if service is None:
        return _book_page("service", services=services_of(ServiceKind.APPOINTMENT),
                          error=_("Choose one of the services listed.") if code is not None
                          else None, status=422 if code is not None else 200)
    now = utcnow()
    error = None
    if request.args.get("start") is not None:
        start = _parse_start(request.args["start"])
        if start is not None:
            form = BookForm(formdata=None, service=service.code, start=start.isoformat(),
                            phone=request.args.get("phone", ""),
                            caller=request.args.get("phone", ""))
            return _details(service, start, form)
        error = _("Choose one of the times listed.")
    if request.args.get("day") is not None:
        try:
            day = dt.date.fromisoformat(request.args["day"])
        except ValueError:
            day = None
        slots = free_slots(service, first=day, last=day, now=now) if day else []
        if slots:
            return _book_page("time", service=service, day=format_date(day, "full"),
                              day_iso=day.isoformat(), slots=[_slot_choice(s) for s in slots],
                              error=error, status=422 if error else 200)
        error = _("Choose one of the days listed.")
    first = today()
    window = free_slots(service, first=first,
                        last=first + dt.timedelta(days=settings_of(service).book_ahead_days),
                        now=now)
    days: dict[dt.date, int] = {}
    for slot in window:
        day = local_day(slot.start)
        days[day] = days.get(day, 0) + slot.remaining
    choices = [{"value": d.isoformat(), "label": format_date(d, "full"), "remaining": n}
               for d, n in sorted(days.items()) if n > 0]
    return _book_page("day", service=service, days=choices, error=error,
                      status=422 if error else 200)


def _details(service, start: dt.datetime, form: BookForm, *, alternatives=None,
             error: str | None = None, status: int = 200):
    if groups_of(service):
        form.limit_groups(groups_of(service))
    return _book_page("details", service=service, form=form, status=status,
                      when=f"{format_date(start, 'full')} {format_time(start, 'HH:mm')}",
                      alternatives=[_slot_choice(s) for s in alternatives or []],
                      error=error, home=service.location is ServiceLocation.HOME)


@bp.post("/book")
@role_required(*OPERATORS)
def book_submit():
    form = BookForm()
    service = active_service(form.service.data, ServiceKind.APPOINTMENT)
    start = _parse_start(form.start.data)
    if service is None or start is None:
        flash(_("Choose the service and the time again."), "error")
        return redirect(url_for("hotline.book", service=form.service.data or None))
    if not form.validate_on_submit():
        return _details(service, start, form, status=422)
    # the resident's details and who the service is for, checked together
    errors: dict = {}
    try:
        resident = resident_check(name=form.name.data, phone=form.phone.data,
                                  address=form.address.data, group=form.group.data or None,
                                  needs=form.needs.data,
                                  address_required=service.location is ServiceLocation.HOME)
    except ResidentError as exc:
        errors.update(exc.errors)
    group = _group_of(form.group.data)
    errors = {**_rule_errors(lambda: eligibility_check(service, group)), **errors}
    if errors:
        apply_errors(form, errors)
        return _details(service, start, form, status=422)
    operator = current_user._get_current_object()
    try:
        item = appointment_book(service=service, start=start, resident=resident,
                                channel=Channel.PHONE, actor=operator)
        call = call_request_add(operator=operator, caller=form.caller.data, request=item,
                                action="booked")
        reference = item.reference
        db.session.commit()
    except DuplicateBooking as exc:  # the operator reads the reference out to the caller
        db.session.rollback()
        error = _("This caller already has a booking for this service on that day: reference "
                  "%(ref)s. Change that booking instead of booking again.",
                  ref=spaced_reference(exc.reference))
        return _details(service, start, form, error=error, status=409)
    except SlotTaken as exc:
        db.session.rollback()
        return _details(service, start, form, alternatives=exc.alternatives,
                        error=str(exc.message), status=409)
    except RequestError as exc:
        db.session.rollback()
        if exc.field in form and exc.field not in ("start", "service"):
            apply_errors(form, {exc.field: exc.message})
            return _details(service, start, form, status=422)
        alternatives = next_free(service, after=start, now=utcnow()) if exc.field == "start" else []
        return _details(service, start, form, alternatives=alternatives, error=str(exc.message),
                        status=409)
    flash(_("Booked for the caller. Read the reference to them: %(ref)s",
            ref=spaced_reference(reference)),
          "success")
    return _after_call(call, resident.phone)
