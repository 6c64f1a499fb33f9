"""Thin views of the hotline console: find a caller's requests, note the call, and book or
report on the caller's behalf with the same rules as the web (channel: phone)."""
from __future__ import annotations

import datetime as dt

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_time
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from ..accounts.models import Role
from ..audit.services import audit_record
from ..base.calendar import local_day, start_of_day, today
from ..base.forms import apply_errors
from ..base.paging import page_arg
from ..base.phones import mask_phone, normalise_mobile
from ..catalog.hours import settings_of
from ..catalog.models import Channel, ServiceKind, ServiceLocation
from ..db import utcnow
from ..extensions import db
from ..permissions import can_use_hotline, require, role_required
from ..requests.appointments import appointment_book, next_free
from ..requests.availability import free_slots
from ..requests.calls import CallNoteError, call_note
from ..requests.errors import DuplicateBooking, RequestError, SlotTaken
from ..requests.labels import STATUS_LABELS
from ..requests.lifecycle import report_create
from ..requests.queries import active_units
from ..requests.residents import ResidentError, resident_check
from ..units.models import Unit
from . import bp
from .forms import BookForm, CallNoteForm, ReportForm, SearchForm
from .queries import active_service, caller_requests, calls_since, services_of
from .ratings import rating_column

OPERATORS = (Role.OPERATOR, Role.ADMIN)


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
    if call_form is None:
        call_form = CallNoteForm(formdata=None, caller_phone=phone or "")
    html = render_template(
        "hotline/console.html", search=search, phone=phone, found=found,
        search_error=search_error, call_form=call_form,
        calls=calls_since(operator_id=current_user.id, since=start_of_day(today())),
        status_labels=STATUS_LABELS, **rating_column(found.items if found else []))
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
    flash(_("The call note was saved."), "success")
    return redirect(url_for("hotline.console"))


# --- reporting a problem on the caller's behalf --------------------------------------------

def _report_choices(form: ReportForm) -> None:
    form.service.choices = [SelectChoice(s.code, s.name)
                            for s in services_of(ServiceKind.DISPATCH)]
    form.unit.choices = [SelectChoice("", _("The service's own unit"))] + [
        SelectChoice(u.code, u.name) for u in active_units()]


@bp.route("/report", methods=["GET", "POST"])
@role_required(*OPERATORS)
def report():
    form = ReportForm() if request.method == "POST" else ReportForm(
        formdata=None, phone=request.args.get("phone", ""))
    _report_choices(form)
    if request.method == "GET":
        return render_template("hotline/report.html", form=form)
    if not form.validate_on_submit():
        return render_template("hotline/report.html", form=form), 422
    errors: dict = {}
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
    if errors:
        apply_errors(form, errors)
        return render_template("hotline/report.html", form=form), 422
    try:
        item = report_create(service=service, resident=resident, description=form.description.data,
                             channel=Channel.PHONE, actor=current_user._get_current_object(),
                             unit=unit, now=utcnow())
        reference = item.reference
        db.session.commit()
    except RequestError as exc:
        db.session.rollback()
        apply_errors(form, {exc.field or "description": exc.message}, fallback="description")
        return render_template("hotline/report.html", form=form), 422
    flash(_("Reported and dispatched. Read the reference to the caller: %(ref)s",
            ref=reference), "success")
    return redirect(url_for("dispatch.detail", reference=reference))


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
                            phone=request.args.get("phone", ""))
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
    try:
        resident = resident_check(name=form.name.data, phone=form.phone.data,
                                  address=form.address.data, group=form.group.data or None,
                                  needs=form.needs.data,
                                  address_required=service.location is ServiceLocation.HOME)
    except ResidentError as exc:
        apply_errors(form, exc.errors)
        return _details(service, start, form, status=422)
    try:
        item = appointment_book(service=service, start=start, resident=resident,
                                channel=Channel.PHONE, actor=current_user._get_current_object())
        reference = item.reference
        db.session.commit()
    except DuplicateBooking as exc:  # the operator reads the reference out to the caller
        db.session.rollback()
        error = _("This caller already has a booking for this service on that day: reference "
                  "%(ref)s. Change that booking instead of booking again.", ref=exc.reference)
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
    flash(_("Booked for the caller. Read the reference to them: %(ref)s", ref=reference),
          "success")
    return redirect(url_for("dispatch.detail", reference=reference))
