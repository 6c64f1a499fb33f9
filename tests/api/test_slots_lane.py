"""The slots lane (service_desk/slots_lane.py) answers a plain slots call from the cache before
Flask, with the very answer the route gives: the same body, status and headers, 304 while
nothing changed, a booking shown in the next call; the read limit counted once; the log line
and the metrics as for the route. Anything not plain goes on to the route.

The lane reads the version on a connection of its own, so these tests commit for real (in a
rolled-back test the sessions share one connection and the lane steps aside)."""
from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from sqlalchemy.exc import OperationalError

from service_desk import slots_lane
from service_desk.base.calendar import today
from service_desk.extensions import limiter
from service_desk.observability import request_log

from ..factories import EIGHT_TO_EIGHT, open_every_day

pytestmark = pytest.mark.commits
PHONE = "13812345678"


@pytest.fixture
def bookable(app, seeded):
    open_every_day(app, capacity=1, ahead=30, periods=EIGHT_TO_EIGHT)


@pytest.fixture
def routed(app, monkeypatch):
    """The calls that reached the Flask route."""
    calls = []
    view = app.view_functions["api.slots"]

    def counted(**kwargs):
        calls.append(kwargs)
        return view(**kwargs)

    monkeypatch.setitem(app.view_functions, "api.slots", counted)
    return calls


def window(app, days: int = 13) -> str:
    with app.app_context():
        first = today() + dt.timedelta(days=1)  # today's slots may close while the test runs
    return f"/api/v1/services/appointment/slots?from={first}&to={first + dt.timedelta(days=days)}"


def headers_of(response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k != "X-Request-ID"}


def test_the_second_call_is_the_lanes_and_the_same_answer(app, client, bookable, routed):
    url = window(app)
    first = client.get(url)
    assert first.status_code == 200 and len(routed) == 1  # the route, which fills the cache
    second = client.get(url)
    assert len(routed) == 1  # the lane's
    assert second.status_code == 200 and second.data == first.data
    assert headers_of(second) == headers_of(first)
    assert second.headers["X-Request-ID"] != first.headers["X-Request-ID"]
    assert json.loads(second.data)  # slots, not an empty list


def test_304_from_the_lane_as_from_the_route(app, client, bookable, routed, monkeypatch):
    url = window(app)
    tag = client.get(url).headers["ETag"]
    lane_304 = client.get(url, headers={"If-None-Match": tag})
    assert lane_304.status_code == 304 and lane_304.data == b"" and len(routed) == 1
    weak = client.get(url, headers={"If-None-Match": f'"other", W/{tag}'})
    assert weak.status_code == 304 and len(routed) == 1
    other = client.get(url, headers={"If-None-Match": '"other"'})
    assert other.status_code == 200 and other.data and len(routed) == 1
    # the route's own 304, with the lane out of the way
    monkeypatch.setattr(slots_lane.SlotsLane, "_answer", lambda *args: None)
    route_304 = client.get(url, headers={"If-None-Match": tag})
    assert route_304.status_code == 304 and len(routed) == 2
    assert headers_of(route_304) == headers_of(lane_304)


def test_a_booking_and_a_cancel_show_in_the_very_next_lane_call(app, client, bookable, routed):
    url = window(app)
    slots = {s["start"]: s["remaining"] for s in client.get(url).get_json()}
    start = next(s for s, left in slots.items() if left)
    tag = client.get(url).headers["ETag"]
    booked = client.post("/api/v1/appointments", json={
        "service_code": "appointment", "start": start, "name": "李阿姨", "phone": PHONE,
        "group": "elderly"})
    assert booked.status_code == 201
    after = client.get(url)  # a new version: the route computes it
    assert {s["start"]: s["remaining"] for s in after.get_json()}[start] == 0
    assert after.headers["ETag"] != tag
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 200
    calls = len(routed)
    assert client.get(url).data == after.data and len(routed) == calls  # the lane again
    ref = booked.get_json()["reference"]
    cancelled = client.post(f"/api/v1/appointments/{ref}/cancel", json={"phone": PHONE})
    assert cancelled.status_code == 200
    assert {s["start"]: s["remaining"] for s in client.get(url).get_json()}[start] == 1


@pytest.mark.parametrize("change", [
    {"cookie": "x"},
    {"headers": {"Authorization": "Bearer nothing"}},
    {"method": "HEAD"},
    {"query": "&extra=1"},
    {"query": "&from=2030-01-01"},  # twice
    {"query": "&x"},
    {"data": b"{}", "headers": {"Content-Type": "application/json"}},
])
def test_a_call_that_is_not_plain_goes_to_the_route(app, client, bookable, routed, change):
    url = window(app)
    client.get(url)
    method = change.get("method", "GET")
    if "cookie" in change:
        client.set_cookie("session", change["cookie"])
    response = client.open(url + change.get("query", ""), method=method,
                           headers=change.get("headers", {}), data=change.get("data"))
    assert len(routed) == 2, response.status_code


@pytest.mark.parametrize("query,status", [
    ("from=2026-13-01", 422),
    ("from=2026-12-10&to=2026-12-01", 422),
    ("from=2026-01-01&to=2026-12-31", 422),
])
def test_a_wrong_window_is_the_routes_422(app, client, bookable, query, status):
    response = client.get(f"/api/v1/services/appointment/slots?{query}")
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == "invalid_parameter"


def test_an_unknown_or_unbookable_service_is_the_routes_answer(app, client, bookable, routed):
    unknown = client.get("/api/v1/services/no-such/slots")
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/services/no%00such/slots").status_code == 400  # the input guard
    for _ in range(2):  # a dispatched service is never cached: the route answers each time
        dispatched = client.get("/api/v1/services/hotline/slots")
        assert dispatched.status_code == 422
        assert dispatched.get_json()["error"]["code"] == "not_bookable"
    assert len(routed) == 3


def test_a_database_error_in_the_lane_leaves_the_call_to_the_route(app, client, bookable,
                                                                  routed, monkeypatch):
    url = window(app)
    expected = client.get(url)

    def down(engine, code):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(slots_lane, "held_version", down)
    response = client.get(url)
    assert response.status_code == 200 and response.data == expected.data and len(routed) == 2


def test_a_failure_inside_the_lane_is_logged_and_the_route_answers(app, client, bookable,
                                                                  routed, monkeypatch, caplog):
    url = window(app)
    expected = client.get(url)

    def broken(*args, **kwargs):
        raise RuntimeError("lane-marker")

    monkeypatch.setattr(slots_lane, "answered", broken)  # the log line and metrics step
    response = client.get(url)
    assert response.status_code == 200 and response.data == expected.data and len(routed) == 2
    assert any("lane-marker" in (r.exc_text or "") or (r.exc_info and "lane-marker" in
               str(r.exc_info[1])) for r in caplog.records)


def test_the_read_limit_counts_each_call_once(app, client, bookable, routed, monkeypatch):
    monkeypatch.setitem(app.config, "API_READ_RATE_LIMIT", "3 per minute")
    url = window(app, days=6)  # a window no other test filled: the first call is the route's
    limiter.reset()
    assert client.get(url).status_code == 200 and len(routed) == 1  # counted by the lane
    assert client.get(url).status_code == 200 and len(routed) == 1
    assert client.get(url).status_code == 200 and len(routed) == 1
    refused = client.get(url)
    assert refused.status_code == 429 and len(routed) == 2  # the route's refusal
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) >= 1
    # another resident, as the proxy reports them, has a budget of their own
    other = client.get(url, environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 200


def test_the_lane_logs_its_line_and_counts_its_metrics(app, client, bookable, routed, capsys):
    url = window(app)
    client.get(url)
    capsys.readouterr()
    response = client.get(url)
    assert len(routed) == 1
    [line] = [json.loads(x) for x in capsys.readouterr().err.splitlines()
              if '"service_desk.request"' in x]
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["path"] == "/api/v1/services/<code>/slots" and line["status"] == 200
    assert line["method"] == "GET" and line["user_id"] is None
    assert isinstance(line["duration_ms"], float)
    metrics = app.extensions["service_desk.metrics"]
    sample = metrics.requests.labels("/api/v1/services/<code>/slots", "GET", "200")
    before = sample._value.get()
    client.get(url)
    assert sample._value.get() == before + 1


def test_an_incoming_request_id_is_kept_by_the_lane(app, client, bookable, routed):
    url = window(app)
    client.get(url)
    response = client.get(url, headers={"X-Request-ID": "proxy-42"})
    assert len(routed) == 1 and response.headers["X-Request-ID"] == "proxy-42"
    unsafe = client.get(url, headers={"X-Request-ID": "has space"})
    assert unsafe.headers["X-Request-ID"] != "has space"


def test_the_straight_line_is_the_formatters_line(monkeypatch, capsys):
    """The request line written straight (production's set-up: our handler alone) is the
    JSON that logging's record and formatter make (any other set-up)."""
    handler = next(h for h in logging.getLogger("service_desk").handlers
                   if isinstance(h, request_log.AppLogHandler))
    args = ("GET", "/api/v1/services/<code>/slots", 200, 0.00123, 7, "abc", "json")
    monkeypatch.setattr(logging.root, "handlers", [])
    assert request_log._sole_handler() is handler
    capsys.readouterr()
    request_log.log_request(*args)
    straight = json.loads(capsys.readouterr().err)
    monkeypatch.setattr(request_log, "_sole_handler", lambda: None)
    request_log.log_request(*args)
    formatted = json.loads(capsys.readouterr().err)
    assert straight.pop("time")[:16] == formatted.pop("time")[:16]
    assert list(straight.items()) == list(formatted.items())
    assert straight["message"] == "GET /api/v1/services/<code>/slots 200 1.2ms"


def test_the_straight_line_steps_aside_for_any_other_set_up(monkeypatch):
    monkeypatch.setattr(logging.root, "handlers", [])
    assert request_log._sole_handler() is not None
    extra = logging.NullHandler()
    request_log.log.addHandler(extra)
    try:
        assert request_log._sole_handler() is None
    finally:
        request_log.log.removeHandler(extra)
    monkeypatch.setattr(logging.root, "handlers", [logging.NullHandler()])
    assert request_log._sole_handler() is None
