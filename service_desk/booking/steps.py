"""The pieces every booking screen shares: where a step's form goes (a new booking or a
move), reading days and times from the URL, and the day, time and "just taken" pages."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import abort, make_response, render_template, url_for

from ..base.calendar import local_day
from ..base.display import (
    day_label,
    service_name,
    spaced_reference,
    spoken_reference,
    time_range,
    when,
)
from ..base.qr import reference_qr_svg
from ..catalog.hours import settings_of
from ..catalog.models import Service, ServiceKind, ServiceLocation
from ..db import utcnow
from ..requests.availability import FreeSlot
from ..requests.models import ServiceRequest
from ..requests.slot_reasons import SlotProblem, SlotReason
from . import bp
from .forms import DRAFT_FIELDS, GROUP_LABELS, STATUS_LABELS, location_line
from .queries import bookable_service, booking_with_service, open_days, times_on

BOOK_STEPS = 5
MOVE_STEPS = 2


@bp.context_processor
def booking_helpers() -> dict:
    return {"day_label": day_label, "time_range": time_range, "when": when,
            "service_name": service_name, "spaced_reference": spaced_reference,
            "spoken_reference": spoken_reference, "location_line": location_line,
            "group_label": lambda g: GROUP_LABELS.get(g, "") if g else "",
            "status_label": lambda s: STATUS_LABELS.get(s, ""),
            "is_home": lambda s: s.location is ServiceLocation.HOME,
            "reference_qr": reference_qr_svg}


@dataclass
class Flow:
    """Where the day and time screens send the resident: a new booking, or a move."""

    mode: str  # "book" or "move"
    day_action: str
    day_method: str
    time_action: str
    time_method: str
    taken_action: str  # where a choice among the "next free times" goes
    back_url: str
    step_day: int
    step_time: int
    steps: int
    carry: dict[str, str] = field(default_factory=dict)  # typed details, in hidden fields


def book_flow(service: Service, carry: dict[str, str]) -> Flow:
    method = "post" if carry else "get"
    return Flow(mode="book", day_action=url_for(".days", code=service.code), day_method=method,
                time_action=url_for(".details", code=service.code), time_method=method,
                taken_action=url_for(".confirm", code=service.code),
                back_url=url_for(".services"), step_day=2, step_time=3, steps=BOOK_STEPS,
                carry=carry)


def move_flow(token: str) -> Flow:
    return Flow(mode="move", day_action=url_for(".reschedule", token=token), day_method="get",
                time_action=url_for(".reschedule", token=token), time_method="post",
                taken_action=url_for(".reschedule", token=token),
                back_url=url_for(".manage", token=token), step_day=1, step_time=2,
                steps=MOVE_STEPS)


def carried(source) -> dict[str, str]:
    return {name: source.get(name, "") for name in DRAFT_FIELDS if source.get(name)}


def parse_day(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return None


def parse_start(raw: str | None) -> dt.datetime | None:
    try:
        start = dt.datetime.fromisoformat((raw or "").strip().replace(" ", "+"))
    except ValueError:
        return None
    return start.astimezone(dt.UTC) if start.tzinfo else None


def end_of(service: Service, start: dt.datetime) -> dt.datetime:
    return start + dt.timedelta(minutes=settings_of(service).slot_minutes)


def service_or_404(code: str) -> Service:
    service = bookable_service(code)
    if service is None:
        abort(404)
    return service


def days_page(service: Service, flow: Flow, *, error: str | None = None, status: int = 200,
              booking: ServiceRequest | None = None):
    days = open_days(service, now=utcnow())
    return render_template("booking/days.html", service=service, flow=flow, days=days,
                           error=error, booking=booking), status


def times_page(service: Service, day: dt.date, flow: Flow, *, error: str | None = None,
               status: int = 200, booking: ServiceRequest | None = None):
    slots = times_on(service, day, now=utcnow())
    return render_template("booking/times.html", service=service, flow=flow, day=day,
                           slots=slots, error=error, booking=booking), status


def taken_page(service: Service, flow: Flow, alternatives: list[FreeSlot], *, message: str,
               after: dt.datetime | None, status: int, booking: ServiceRequest | None = None):
    """The chosen time is gone: the next free ones, as a choice (never the booking's own)."""
    if booking is not None:
        alternatives = [s for s in alternatives if s.start != booking.starts_at]
    return render_template("booking/taken.html", service=service, flow=flow,
                           alternatives=alternatives, message=message,
                           after=after.isoformat() if after else "", booking=booking), status


def refused_time_page(service: Service, start: dt.datetime, flow: Flow, problem: SlotProblem,
                      *, booking: ServiceRequest | None = None):
    """A time that cannot be booked, with the real reason: that day's times when the day
    still has some, else the days to choose from. 409 when full, 422 otherwise."""
    status = 409 if problem.reason is SlotReason.FULL else 422
    if problem.day_usable:
        return times_page(service, local_day(start), flow, error=str(problem.message),
                          status=status, booking=booking)
    return days_page(service, flow, error=str(problem.message), status=status, booking=booking)


def link_problem(*, expired: bool):
    """A bad or old signed link: a plain explanation and the way back in, never the booking."""
    page = render_template("booking/link_problem.html", expired=expired)
    return make_response(page, 404)


def appointment(reference: str) -> tuple[ServiceRequest, Service] | None:
    """A booking and its service; problem reports are not managed on these pages."""
    found = booking_with_service(reference)
    if found is None or found[1].kind is not ServiceKind.APPOINTMENT:
        return None
    return found


