"""The limiter's hooks around every request are skipped where they have nothing to do
(extensions.ViewLimiter): that holds only while every limit sits on a view's decorator."""
from __future__ import annotations

from unittest import mock

from service_desk.extensions import limiter


def test_every_limit_is_a_view_s_own(app):
    manager = limiter.limit_manager
    assert manager.application_limits == [] and manager.default_limits == []
    assert not manager._blueprint_limits  # a blueprint-wide limit would need the before hook
    assert manager._decorated_limits  # and the views do declare theirs


def test_a_request_to_an_unlimited_view_skips_the_limiter(app, client):
    """No limit is looked up, let alone counted (the skipped work is the point: it cost a
    third of /healthz)."""
    with mock.patch.object(limiter.limit_manager, "resolve_limits",
                           wraps=limiter.limit_manager.resolve_limits) as resolve:
        assert client.get("/healthz").status_code == 200
        assert not resolve.called
        assert client.get("/api/v1/services").status_code == 200
        assert resolve.called  # a limited view's decorator still looks its limits up


def test_a_limited_view_still_counts_and_refuses(app, client, seeded):
    old = app.config["API_READ_RATE_LIMIT"]
    app.config["API_READ_RATE_LIMIT"] = "2 per minute"
    try:
        codes = [client.get("/api/v1/services").status_code for _ in range(3)]
    finally:
        app.config["API_READ_RATE_LIMIT"] = old
    assert codes == [200, 200, 429]


def test_the_limiter_s_state_is_made_and_reset_only_for_a_request_that_used_it(app, client,
                                                                                seeded):
    """Its teardown made the state of every request only to reset it; now only a request
    whose view checked a limit (and so made the state) has it reset."""
    from flask.globals import request_ctx

    made = []

    def look(response):
        made.append(hasattr(request_ctx._get_current_object(), "_limiter_request_context"))
        return response

    app.after_request_funcs[None].append(look)  # the app has served: no decorator
    try:
        with mock.patch("flask_limiter._extension.LimiterContext.reset", autospec=True) as reset:
            assert client.get("/healthz").status_code == 200
            assert made == [False] and not reset.called  # never made, nothing reset
            assert client.get("/api/v1/services").status_code == 200
            assert made[-1] is True and reset.called  # a limited view's state is reset
    finally:
        app.after_request_funcs[None].remove(look)
