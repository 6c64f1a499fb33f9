"""Why a time cannot be booked: past, too soon, beyond the booking window, a closed day, not
one of the service's times, or full. Every channel asks here so that a resident, an operator
and an API client are told the same real reason (the API's codes are these values).

The rule of what is offered stays in ``availability.free_slots``: this module only asks it
again with a wider view (the whole day, as offered before any notice applies) to tell the
cases apart. Three statements, like ``free_slots``.
"""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..base.calendar import local_day, zone
from ..catalog.hours import settings_of
from ..catalog.models import Service
from .availability import free_slots
from .errors import RequestError


class SlotReason(enum.StrEnum):
    PAST = "slot_past"
    TOO_SOON = "slot_too_soon"
    TOO_FAR = "slot_too_far"
    CLOSED = "slot_closed"  # no times at all that day: weekend, holiday, closure, no hours
    NOT_OFFERED = "slot_not_offered"  # the day has times, this is not one of them
    FULL = "slot_full"  # the API's code for a full slot since it had one


@dataclass(frozen=True)
class SlotProblem:
    reason: SlotReason
    message: object  # a lazy string: rendered in the reader's language
    day_usable: bool  # whether the day itself still has times to choose from


class SlotUnavailable(RequestError):
    """The asked-for time cannot be booked, with the real reason (``reason``)."""

    def __init__(self, problem: SlotProblem) -> None:
        super().__init__(problem.message, "start")
        self.problem = problem
        self.reason = problem.reason


def _too_soon(notice: dt.timedelta) -> str:
    """Said in hours when the notice is whole hours, else in minutes (read when raised)."""
    minutes = max(1, round(notice.total_seconds() / 60))
    if minutes % 60:
        return ngettext("That time is too soon: this service must be booked at least "
                        "%(num)d minute ahead. Please choose a later time.",
                        "That time is too soon: this service must be booked at least "
                        "%(num)d minutes ahead. Please choose a later time.", minutes)
    return ngettext("That time is too soon: this service must be booked at least %(num)d "
                    "hour ahead. Please choose a later time.",
                    "That time is too soon: this service must be booked at least %(num)d "
                    "hours ahead. Please choose a later time.", minutes // 60)


def slot_problem(service: Service, start: dt.datetime, *, now: dt.datetime) -> SlotProblem | None:
    """None when ``start`` can be booked now; otherwise what is really wrong with it."""
    s = settings_of(service)
    if start <= now:
        return SlotProblem(SlotReason.PAST, _l(
            "That time is already past. Please choose a day and time from the list."), False)
    day = local_day(start)
    today = now.astimezone(zone()).date()
    if day > today + dt.timedelta(days=s.book_ahead_days):
        return SlotProblem(SlotReason.TOO_FAR, _l(
            "That day is too far ahead: this service can be booked up to %(days)d days "
            "ahead. Please choose a day from the list.", days=s.book_ahead_days), False)
    # the day as offered before any notice applies: "now" just early enough that the
    # minimum notice does not hide any of its times
    opened = dt.datetime.combine(day, dt.time.min, tzinfo=zone()).astimezone(dt.UTC)
    whole_day = free_slots(service, first=day, last=day, now=opened - s.min_notice)
    if not whole_day:
        return SlotProblem(SlotReason.CLOSED, _l(
            "The service is closed on that day. Please choose another day."), False)
    slot = next((x for x in whole_day if x.start == start), None)
    if slot is None:
        return SlotProblem(SlotReason.NOT_OFFERED, _l(
            "That time is not one this service offers. Please choose a time from the list."),
            True)
    if start < now + s.min_notice:
        return SlotProblem(SlotReason.TOO_SOON, _too_soon(s.min_notice), True)
    if slot.remaining == 0:
        return SlotProblem(SlotReason.FULL, _l(
            "Sorry, that time is fully booked. Please choose another time."), True)
    return None
