"""A booking as an iCalendar file, for the resident's phone calendar."""
from __future__ import annotations

from icalendar import Calendar, Event

from ..db import utcnow
from ..requests.models import RequestStatus, ServiceRequest


def booking_ics(item: ServiceRequest, *, summary: str, location: str, description: str) -> bytes:
    """One VEVENT, times in UTC; a cancelled booking says so, so calendars can drop it."""
    cal = Calendar()
    cal.add("prodid", "-//Service Desk//Weihai ETDZ//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{item.reference}@service-desk")
    event.add("dtstamp", utcnow().replace(microsecond=0))
    event.add("dtstart", item.starts_at)
    event.add("dtend", item.ends_at)
    event.add("summary", summary)
    event.add("location", location)
    event.add("description", description)
    event.add("sequence", max(0, item.version - 1))
    event.add("status", "CANCELLED" if item.status is RequestStatus.CANCELLED else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical()
