"""Where a resident's booking stands, as steps in words: booked → arrived (or visited) →
finished → rated; a cancelled or missed booking ends there and says so.

Built from the request's history (``requests.history`` writes every change), so each step
reached carries the time it was reached. Plain Python over the events; no statements.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..catalog.models import Service, ServiceLocation
from ..requests.models import RequestEvent, RequestStatus, ServiceRequest

DONE, UPCOMING, STOPPED = "done", "upcoming", "stopped"

# what "arrived" means where the service takes place
ARRIVED_LABELS = {
    ServiceLocation.HOME: _l("Staff came to your home"),
    ServiceLocation.PARK: _l("Staff met you at your park"),
    ServiceLocation.PHONE: _l("Staff called you"),
}
ARRIVED_AT_HALL = _l("You arrived at the service hall")


@dataclass(frozen=True)
class Step:
    key: str
    label: object  # a lazy string
    state: str  # DONE, UPCOMING, or STOPPED (a cancelled or missed booking's last step)
    at: dt.datetime | None = None
    note: object | None = None
    current: bool = False  # the latest step reached: aria-current="step"


def _last(events: list[RequestEvent], *actions: str) -> RequestEvent | None:
    found = [e for e in events if e.action in actions]
    return found[-1] if found else None


def booking_timeline(item: ServiceRequest, service: Service, events: list[RequestEvent], *,
                     is_rated: bool = False) -> list[Step]:
    """The steps of ``item`` in order; ``events`` are its history, oldest first. A step is
    reached by the request's state; its time comes from the event that reached it."""
    booked = _last(events, "booked")
    moved = _last(events, "rescheduled")
    steps = [Step("booked", _l("Booked"), DONE, booked.at if booked else item.created_at,
                  note=_l("The time was changed since.") if moved else None)]
    if item.status is RequestStatus.CANCELLED:
        cancelled = _last(events, "cancelled")
        by_us = cancelled is not None and cancelled.actor_id is not None
        steps.append(Step("cancelled", _l("Cancelled"), STOPPED,
                          cancelled.at if cancelled else item.updated_at,
                          note=_l("Cancelled by the service centre; the text we sent says why.")
                          if by_us else _l("Cancelled at your request.")))
        return _with_current(steps)
    if item.status is RequestStatus.NO_SHOW:
        missed = _last(events, "no_show")
        steps.append(Step("no_show", _l("Missed"), STOPPED, missed.at if missed else None,
                          note=_l("Staff recorded that the appointment did not take place. "
                                  "You are welcome to book again.")))
        return _with_current(steps)
    finished = item.status is RequestStatus.COMPLETED
    arrived = _last(events, "arrived")
    completed = _last(events, "completed")
    rated = _last(events, "rated")
    # a home visit may be finished without "arrived": reaching the door is part of the visit
    arrived_at = arrived.at if arrived else (completed.at if completed else None)
    steps += [
        Step("arrived", ARRIVED_LABELS.get(service.location, ARRIVED_AT_HALL),
             DONE if finished or item.status is RequestStatus.ARRIVED else UPCOMING,
             arrived_at),
        Step("completed", _l("Service finished"), DONE if finished else UPCOMING,
             completed.at if completed else None),
        Step("rated", _l("You rated the service"), DONE if finished and (rated or is_rated)
             else UPCOMING, rated.at if rated else None),
    ]
    return _with_current(steps)


def _with_current(steps: list[Step]) -> list[Step]:
    reached = [i for i, s in enumerate(steps) if s.state != UPCOMING]
    last = reached[-1] if reached else 0
    return [Step(s.key, s.label, s.state, s.at, s.note, i == last) for i, s in enumerate(steps)]
