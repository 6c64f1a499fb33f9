"""Per-request work done once instead of on every request (issue 13), with Flask's behaviour
unchanged: which hooks and views are async is decided once per function."""
from __future__ import annotations

from unittest import mock

import flask.app


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
