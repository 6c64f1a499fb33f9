"""Free starts and bookings through the JSON API, for the booking tests of this package."""
from __future__ import annotations

import datetime as dt


def free_starts(client, n: int, *, first_day: int = 0, days: int = 20) -> list[str]:
    """The first ``n`` starts with a place free, from ``first_day`` days after today."""
    today = dt.date.today()
    body = client.get(f"/api/v1/services/appointment/slots"
                      f"?from={today + dt.timedelta(days=first_day)}"
                      f"&to={today + dt.timedelta(days=days)}").get_json()
    return [s["start"] for s in body if s["remaining"] > 0][:n]


def book(client, start: str, phone: str, **extra):
    return client.post("/api/v1/appointments", json={
        "service_code": "appointment", "start": start, "name": "李阿姨", "phone": phone,
        **extra})
