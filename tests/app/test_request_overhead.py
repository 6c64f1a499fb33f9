"""Per-request work done once instead of on every request (issue 13), with Flask's behaviour
unchanged: which hooks and views are async is decided once per function."""
from __future__ import annotations

from unittest import mock

import flask.app

from ..factories import login


def test_each_hook_is_checked_for_async_once(app):
    def hook():
        return None

    with mock.patch.object(flask.app, "iscoroutinefunction",
                           wraps=flask.app.iscoroutinefunction) as asked:
        assert app.ensure_sync(hook) is hook
        assert app.ensure_sync(hook) is hook
    assert asked.call_count == 1


def test_an_async_hook_is_still_wrapped(app):
    async def hook():
        return "ran"

    with mock.patch.object(type(app), "async_to_sync", autospec=True,
                           side_effect=lambda self, func: (lambda: "wrapped")) as wrap:
        first, second = app.ensure_sync(hook), app.ensure_sync(hook)
    assert first() == "wrapped" and second is first and wrap.call_count == 1


def test_an_unhashable_callable_is_asked_each_time(app):
    class Unhashable:
        __hash__ = None

        def __call__(self):
            return None

    func = Unhashable()
    assert app.ensure_sync(func) is func


def test_a_cookieless_api_call_neither_reads_nor_writes_the_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


def test_a_page_that_uses_the_session_still_varies_by_cookie(client):
    response = client.get("/login")  # its form's CSRF token lives in the session
    assert response.status_code == 200
    assert "Cookie" in response.headers.get("Vary", "")
    assert "session=" in response.headers.get("Set-Cookie", "")


def test_flask_logins_remember_me_still_runs_for_a_request_with_cookies(app, client, make_user):
    """With REMEMBER_COOKIE_REFRESH_EACH_REQUEST a signed-in request (it has cookies) gets
    its remember-me cookie from Flask-Login's hook, as before."""
    login(client, make_user("admin"))
    app.config["REMEMBER_COOKIE_REFRESH_EACH_REQUEST"] = True
    try:
        response = client.get("/healthz")
    finally:
        app.config["REMEMBER_COOKIE_REFRESH_EACH_REQUEST"] = False
    assert any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))
