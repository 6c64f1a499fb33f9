"""Reference + phone look-ups draw on one budget per client, whichever of the seven ways in
(issue 12, item 4): before, each endpoint counted alone, about 70 guesses a minute."""
from __future__ import annotations

from ..factories import csrf_from

REF, PHONE = "ABCD2345", "13812345678"


def _guesses(client):
    """One wrong guess on each way in that takes a reference and a phone."""
    def web(url):
        page = client.get(url)
        return client.post(url, data={"reference": REF, "phone": PHONE,
                                      "csrf_token": csrf_from(page.get_data(as_text=True))})
    yield "my-booking", lambda: web("/my-booking")
    yield "rate", lambda: web("/rate/")
    yield "api get", lambda: client.get(f"/api/v1/appointments/{REF}?phone={PHONE}")
    yield "api report", lambda: client.get(f"/api/v1/reports/{REF}?phone={PHONE}")
    yield "api cancel", lambda: client.post(f"/api/v1/appointments/{REF}/cancel",
                                            json={"phone": PHONE})
    yield "api reschedule", lambda: client.post(
        f"/api/v1/appointments/{REF}/reschedule",
        json={"phone": PHONE, "start": "2030-01-01T09:00:00+08:00"})
    yield "api rating", lambda: client.post(f"/api/v1/appointments/{REF}/rating",
                                            json={"phone": PHONE, "level": 5})


def test_the_seven_look_ups_share_one_budget_per_client(app, client, seeded):
    app.config["LOOKUP_RATE_LIMIT"] = "6 per minute"
    try:
        statuses = {name: guess().status_code for name, guess in _guesses(client)}
        again = client.get(f"/api/v1/appointments/{REF}?phone={PHONE}").status_code
    finally:
        app.config["LOOKUP_RATE_LIMIT"] = "1000 per minute"
    # six guesses in all are allowed, wherever they are made; the seventh is refused
    assert list(statuses.values())[:6] == [404] * 6, statuses
    assert statuses["api rating"] == 429 and again == 429


def test_the_refusal_says_when_to_try_again_and_how_else_to_get_help(app, client, seeded,
                                                                      monkeypatch):
    """Not a dead end: the wait in words and in Retry-After, and the hotline and the hall."""
    monkeypatch.setitem(app.config, "HOTLINE_NUMBER", "0631-5620000")
    app.config["LOOKUP_RATE_LIMIT"] = "1 per 5 minutes"
    client.set_cookie("lang", "en")
    try:
        first = client.get(f"/api/v1/appointments/{REF}?phone={PHONE}")
        page = client.get("/my-booking")
        refused = client.post("/my-booking", data={
            "reference": REF, "phone": PHONE, "csrf_token": csrf_from(page.get_data(as_text=True))})
        api = client.get(f"/api/v1/appointments/{REF}?phone={PHONE}")
    finally:
        app.config["LOOKUP_RATE_LIMIT"] = "1000 per minute"
    assert first.status_code == 404 and refused.status_code == 429 and api.status_code == 429
    html = refused.get_data(as_text=True)
    assert "Please try again in about 5 minutes" in html
    assert "0631-5620000" in html and 'href="tel:' in html
    for response in (refused, api):
        assert 240 <= int(response.headers["Retry-After"]) <= 301
