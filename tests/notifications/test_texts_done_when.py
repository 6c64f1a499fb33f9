"""Issue 11's "done when" for texts: a booking made on the web pages reaches a local HTTP
gateway as one signed JSON text carrying its reference, exactly once however often `notify`
runs, and the reminder follows for a booking within 24 hours."""
from __future__ import annotations

import re

import pytest

from service_desk.base.links import done_reference

from ..factories import csrf_from, free_times, open_for_booking
from .sms_servers import Gateway

SECRET = "done-when-secret"
PHONE = "13912345678"
DETAILS = {"name": "王秀兰", "phone": PHONE, "address": "", "group": "everyone", "needs": ""}
TOKEN_RE = re.compile(r'name="confirm_token" value="([^"]+)"')


@pytest.fixture
def gateway():
    server = Gateway(SECRET)
    yield server
    server.stop()


def _book_on_the_web(app, client, start: str) -> str:
    page = client.get(f"/book/appointment/details?start={start}").get_data(as_text=True)
    check = client.post(f"/book/appointment/details?start={start}", data={
        **DETAILS, "start": start, "csrf_token": csrf_from(page)})
    assert check.status_code == 200, check.get_data(as_text=True)
    html = check.get_data(as_text=True)
    done = client.post("/book/appointment/confirm", data={
        **DETAILS, "start": start, "csrf_token": csrf_from(html),
        "confirm_token": TOKEN_RE.search(html).group(1)})
    assert done.status_code == 302, done.get_data(as_text=True)
    with app.test_request_context():
        return done_reference(done.headers["Location"].rsplit("/", 1)[1])


def test_a_web_booking_reaches_the_gateway_signed_once_then_its_reminder(
        app, client, seeded, runner, gateway, monkeypatch):
    open_for_booking(app)
    for key, value in {"SMS_URL": gateway.url, "SMS_SECRET": SECRET,
                       # the test must not depend on the hour it runs at
                       "SMS_QUIET_HOURS": "", "REMINDER_HOURS": 24 * 30}.items():
        monkeypatch.setitem(app.config, key, value)
    start = free_times(app, "appointment", 1)[0].start.isoformat()
    reference = _book_on_the_web(app, client, start)

    first = runner.invoke(args=["notify"])
    assert first.exit_code == 0, first.output
    texts = gateway.accepted()
    kinds = sorted(t["kind"] for t in texts)
    assert kinds == ["appointment-booked", "appointment-reminder"], kinds
    for text in texts:
        assert text["phone"] == PHONE and reference in text["text"]
    assert all(gateway.signed(r) for r in gateway.received)

    again = runner.invoke(args=["notify"])
    assert again.exit_code == 0, again.output
    assert len(gateway.received) == 2  # nothing twice, not even the reminder
