"""A new booking: service, day, time, details, check, done (and its calendar file).

The flow keeps nothing on the server between pages: the service, day and time travel in
the URL, what the resident typed travels in hidden fields, and the done page opens with a
signed, expiring link (tokens.py). Each view parses, calls a booking service or a query,
commits once and renders.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..base.calendar import local_day
from ..base.display import service_name, spaced_reference
from ..base.limits import new_booking_limit
from ..base.links import LinkError, done_reference, done_token
from ..catalog.models import Channel, Service, ServiceLocation, SpecialGroup
from ..db import utcnow
from ..extensions import db
from ..requests.appointments import appointment_book, next_free
from ..requests.errors import DuplicateBooking, RequestError, SlotTaken
from ..requests.models import ServiceRequest
from ..requests.residents import Resident, ResidentError, resident_check
from ..requests.slot_reasons import SlotUnavailable, slot_problem
from . import bp
from .forms import DRAFT_FIELDS, DetailsForm, group_choices
from .ics import booking_ics
from .queries import services_for_residents
from .steps import (
    appointment,
    book_flow,
    carried,
    days_page,
    end_of,
    link_problem,
    parse_day,
    parse_start,
    refused_time_page,
    service_or_404,
    taken_page,
    times_page,
)

RESIDENT_FIELDS = set(DRAFT_FIELDS)
CONFIRM_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _confirm_token() -> str | None:
    """The confirm form's one-time token; anything else is ignored (booked without one)."""
    raw = request.form.get("confirm_token", "")
    return raw if CONFIRM_TOKEN.fullmatch(raw) else None


@bp.get("/book")
def services():
    bookable, by_hotline = services_for_residents()
    return render_template("booking/services.html", bookable=bookable, by_hotline=by_hotline)


@bp.route("/book/<code>", methods=["GET", "POST"])
def days(code: str):
    """Choose a day. A POST carries the details typed so far (from "Change the day")."""
    service = service_or_404(code)
    flow = book_flow(service, carried(request.form) if request.method == "POST" else {})
    if "day" in request.values or "go" in request.values:
        day = parse_day(request.values.get("day"))
        if day is None:
            return days_page(service, flow, error=_("Choose a day from the list."), status=422)
        if request.method == "POST":
            return times_page(service, day, flow)
        return redirect(url_for(".times", code=code, day=day.isoformat()))
    return days_page(service, flow)


@bp.route("/book/<code>/<day>", methods=["GET", "POST"])
def times(code: str, day: str):
    service = service_or_404(code)
    the_day = parse_day(day)
    if the_day is None:
        abort(404)
    flow = book_flow(service, carried(request.form) if request.method == "POST" else {})
    return times_page(service, the_day, flow)


def _resident(form: DetailsForm, service: Service) -> Resident | None:
    """The typed details checked by the booking rules; errors land on the form's fields."""
    home = service.location is ServiceLocation.HOME
    choices = {value for value, _label in group_choices(service)}
    errors: dict[str, object] = {}
    resident = None
    try:
        resident = resident_check(
            name=form.name.data, phone=form.phone.data,
            address=form.address.data if home else None,
            group=(form.group.data or None) if choices else None,
            needs=form.needs.data, address_required=home)
    except ResidentError as exc:
        errors.update(exc.errors)
    if choices and form.group.data not in choices:
        errors["group"] = _("Choose who the service is for.")
    for name, message in errors.items():
        getattr(form, name).errors = [str(message)]
    return None if errors else resident


def _details_page(service: Service, start: dt.datetime, form: DetailsForm, *, status: int = 200):
    return render_template("booking/details.html", service=service, form=form, start=start,
                           end=end_of(service, start), start_iso=start.isoformat(),
                           start_day=local_day(start).isoformat()), status


@bp.route("/book/<code>/details", methods=["GET", "POST"])
def details(code: str):
    """Who the booking is for; a valid POST shows the check page (nothing is stored yet)."""
    service = service_or_404(code)
    form = DetailsForm().for_service(service)
    flow = book_flow(service, carried(request.form) if request.method == "POST" else {})
    start = parse_start(request.values.get("start"))
    if start is None:
        day = parse_day(request.values.get("day"))
        if day is None:
            return redirect(url_for(".days", code=code))
        return times_page(service, day, flow, error=_("Choose a time from the list."), status=422)
    problem = slot_problem(service, start, now=utcnow())
    if problem is not None:  # past, too soon, too far, closed, not a time, full: say which
        return refused_time_page(service, start, flow, problem)
    if request.method == "GET" or request.form.get("edit"):
        return _details_page(service, start, form)
    resident = _resident(form, service)
    if resident is None:
        return _details_page(service, start, form, status=422)
    return render_template("booking/confirm.html", service=service, form=form, start=start,
                           resident=resident,  # as it will be stored: +86 and dashes gone
                           end=end_of(service, start), start_iso=start.isoformat(), draft=form.draft(),
                           group=SpecialGroup(form.group.data) if form.group.data else None,
                           # a new token per check page: pressing confirm twice, or Back and
                           # confirm again, finds the booking this token already made
                           confirm_token=secrets.token_urlsafe(24))


@bp.post("/book/<code>/confirm")
@new_booking_limit
def confirm(code: str):
    service = service_or_404(code)
    form = DetailsForm().for_service(service)
    token = _confirm_token()
    flow = book_flow(service, {**form.draft(), **({"confirm_token": token} if token else {})})
    start = parse_start(request.form.get("start"))
    now = utcnow()
    if start is None:
        after = parse_start(request.form.get("after")) or now
        return taken_page(service, flow, next_free(service, after=after, now=now), after=after,
                          message=_("Choose a time from the list."), status=422)
    resident = _resident(form, service)
    if resident is None:
        return _details_page(service, start, form, status=422)
    try:
        item = appointment_book(service=service, start=start, resident=resident,
                                channel=Channel.WEB, now=now, confirm_token=token)
        db.session.commit()
    except DuplicateBooking as exc:
        db.session.rollback()
        return render_template("booking/duplicate.html", service=service,
                               starts_at=exc.existing.starts_at, message=str(exc.message)), 409
    except SlotTaken as exc:
        db.session.rollback()
        return taken_page(service, flow, exc.alternatives, message=str(exc.message), after=start,
                          status=409)
    except SlotUnavailable as exc:
        db.session.rollback()
        return refused_time_page(service, start, flow, exc.problem)
    except RequestError as exc:
        db.session.rollback()
        if exc.field in RESIDENT_FIELDS:
            getattr(form, exc.field).errors = [str(exc.message)]
            return _details_page(service, start, form, status=422)
        return taken_page(service, flow, next_free(service, after=start, now=now),
                          message=str(exc.message), after=start, status=409)
    return redirect(url_for(".done", token=done_token(item.reference)))


def _from_done_token(token: str) -> tuple[ServiceRequest, Service]:
    try:
        reference = done_reference(token)
    except LinkError as exc:
        abort(link_problem(expired=exc.expired))
    found = appointment(reference)
    if found is None:
        abort(link_problem(expired=False))
    return found


@bp.get("/book/done/<token>")
def done(token: str):
    item, service = _from_done_token(token)
    return render_template("booking/done.html", item=item, service=service, token=token)


def _place(item: ServiceRequest, service: Service) -> str:
    if service.location is ServiceLocation.HOME and item.address:
        return item.address
    if service.location is ServiceLocation.PHONE:
        return _("By phone")
    hall = _("Government service hall, Weihai Economic and Technological Development Zone")
    address = current_app.config.get("HALL_ADDRESS")
    return f"{hall}, {address}" if address else hall


@bp.get("/book/done/<token>.ics")
def done_ics(token: str):
    item, service = _from_done_token(token)
    body = booking_ics(
        item, summary=service_name(service), location=_place(item, service),
        description=_("Reference code %(ref)s. To change or cancel, open %(url)s and enter "
                      "this code and your mobile number.", ref=spaced_reference(item.reference),
                      url=url_for(".lookup", _external=True)))
    return Response(body, content_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="booking-{item.reference}.ics"'})


