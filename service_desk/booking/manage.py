"""My booking: find it with the reference code and mobile number, then view, move or
cancel it. Pages after the lookup open with a signed link valid for an hour (tokens.py)."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from ..base.forms import LookupForm, lookup_checked
from ..base.limits import lookup_budget_on_post
from ..base.links import (
    LinkError,
    done_token,
    manage_reference,
    manage_token,
    phone_matches,
    rating_token,
)
from ..catalog.models import Channel, Service
from ..db import utcnow
from ..extensions import db
from ..permissions import resident_may_open_booking
from ..ratings.labels import level_label
from ..ratings.services import is_rateable, rating_of
from ..requests.appointments import (
    appointment_cancel,
    appointment_reschedule,
    next_free,
    resident_may_change,
)
from ..requests.errors import RequestError, SlotTaken
from ..requests.models import RequestStatus, ServiceRequest
from ..requests.references import find_booking
from ..requests.slot_reasons import SlotUnavailable
from . import bp
from .queries import booking_events
from .steps import (
    appointment,
    days_page,
    link_problem,
    move_flow,
    parse_day,
    parse_start,
    refused_time_page,
    taken_page,
    times_page,
)
from .timeline import booking_timeline


@bp.route("/my-booking", methods=["GET", "POST"])
@lookup_budget_on_post
def lookup():
    """The same answer for an unknown reference and a wrong mobile number."""
    form = LookupForm()
    if request.method == "GET":
        return render_template("booking/lookup.html", form=form, not_found=False)
    checked = lookup_checked(form)
    if checked is None:
        return render_template("booking/lookup.html", form=form, not_found=False), 422
    reference, phone = checked
    item = find_booking(reference=reference, phone=phone)
    if (item is None or appointment(item.reference) is None or not resident_may_open_booking(
            booking_phone=item.resident_phone, proven=lambda p: p == phone)):
        return render_template("booking/lookup.html", form=form, not_found=True), 404
    return redirect(url_for(".manage", token=manage_token(item.reference, phone)))


def _managed(token: str) -> tuple[ServiceRequest, Service]:
    try:
        reference, digest = manage_reference(token)
    except LinkError as exc:
        abort(link_problem(expired=exc.expired))
    found = appointment(reference)
    if found is None or not resident_may_open_booking(
            booking_phone=found[0].resident_phone, proven=lambda p: phone_matches(digest, p)):
        abort(link_problem(expired=False))
    return found


def _changeable(item: ServiceRequest) -> bool:
    """Whether to offer the change buttons; the services enforce the same rule on POST."""
    return resident_may_change(item, now=utcnow())


def _done_message(done: str) -> str | None:
    if done == "cancelled":
        return _("Your booking is cancelled. We are sending a text message to confirm.")
    if done == "rescheduled":
        return _("Your booking is moved to the new time. "
                 "We are sending a text message to confirm.")
    return None


def _rating_of(item: ServiceRequest) -> tuple[str | None, str | None]:
    """(the rating page's address while a finished booking is unrated, the level given).

    The resident proved the mobile number at the look-up, so the page may hand out a link."""
    if not is_rateable(item):
        return None, None
    rating = rating_of(item)
    if rating is not None:
        return None, level_label(rating.level)
    return url_for("ratings.rate", token=rating_token(item.reference, item.resident_phone),
                   via="booking"), None


def _manage_page(token: str, *, error: str | None = None, status: int = 200):
    item, service = _managed(token)
    rate_url, rated = _rating_of(item)
    timeline = booking_timeline(item, service, booking_events(item.id), is_rated=bool(rated))
    return render_template("booking/manage.html", item=item, service=service, token=token,
                           changeable=_changeable(item), error=error, timeline=timeline,
                           rate_url=rate_url, rated=rated,
                           done_message=None if error else _done_message(
                               request.args.get("done", "")),
                           ics_token=done_token(item.reference)), status


@bp.get("/my-booking/<token>")
def manage(token: str):
    return _manage_page(token)


def _not_changeable() -> str:
    return _("This booking can no longer be changed: it is cancelled, finished or already past.")


def _changed_meanwhile() -> str:
    return _("This booking was changed at the same time from somewhere else. "
             "Here it is as it is now.")


@bp.route("/my-booking/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str):
    item, service = _managed(token)
    if request.method == "GET":
        if not _changeable(item):
            already = item.status is RequestStatus.CANCELLED
            return _manage_page(token, status=409, error=_("This booking is already cancelled.")
                                if already else _not_changeable())
        return render_template("booking/cancel.html", item=item, service=service, token=token)
    try:
        appointment_cancel(request=item, service=service, note=Channel.WEB.value)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return _manage_page(token, error=_changed_meanwhile(), status=409)
    except RequestError as exc:
        db.session.rollback()
        return _manage_page(token, error=str(exc.message), status=409)
    return redirect(url_for(".manage", token=token, done="cancelled"))


@bp.route("/my-booking/<token>/reschedule", methods=["GET", "POST"])
def reschedule(token: str):
    """GET: choose a new day; POST: move to the chosen time (the old place is freed)."""
    item, service = _managed(token)
    if not _changeable(item):
        return _manage_page(token, error=_not_changeable(), status=409)
    flow = move_flow(token)
    if request.method == "GET":
        if "day" in request.args or "go" in request.args:
            day = parse_day(request.args.get("day"))
            if day is None:
                return days_page(service, flow, error=_("Choose a day from the list."),
                                 status=422, booking=item)
            return redirect(url_for(".reschedule_times", token=token, day=day.isoformat()))
        return days_page(service, flow, booking=item)
    start = parse_start(request.form.get("start"))
    now = utcnow()
    if start is None:
        day = parse_day(request.form.get("day"))
        if day is not None:
            return times_page(service, day, flow, error=_("Choose a time from the list."),
                              status=422, booking=item)
        after = parse_start(request.form.get("after")) or now
        return taken_page(service, flow, next_free(service, after=after, now=now), after=after,
                          message=_("Choose a time from the list."), status=422, booking=item)
    try:
        appointment_reschedule(request=item, service=service, start=start, now=now)
        db.session.commit()
    except SlotTaken as exc:
        db.session.rollback()
        item, service = _managed(token)
        return taken_page(service, flow, exc.alternatives, message=str(exc.message), after=start,
                          status=409, booking=item)
    except StaleDataError:
        db.session.rollback()
        return _manage_page(token, error=_changed_meanwhile(), status=409)
    except SlotUnavailable as exc:  # past, too soon, closed…: the real reason
        db.session.rollback()
        item, service = _managed(token)
        return refused_time_page(service, start, flow, exc.problem, booking=item)
    except RequestError as exc:
        db.session.rollback()
        if exc.field is None:
            return _manage_page(token, error=str(exc.message), status=409)
        item, service = _managed(token)
        return taken_page(service, flow, next_free(service, after=start, now=now),
                          message=str(exc.message), after=start, status=409, booking=item)
    return redirect(url_for(".manage", token=token, done="rescheduled"))


@bp.get("/my-booking/<token>/reschedule/<day>")
def reschedule_times(token: str, day: str):
    item, service = _managed(token)
    if not _changeable(item):
        return _manage_page(token, error=_not_changeable(), status=409)
    the_day = parse_day(day)
    if the_day is None:
        abort(404)
    return times_page(service, the_day, move_flow(token), booking=item)
