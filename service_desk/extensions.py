"""Flask extensions, created unbound and initialised in create_app()."""
from __future__ import annotations

import threading
import time
from functools import lru_cache, partial

from flask import Flask, current_app, g, request
from flask.globals import request_ctx
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from limits import RateLimitItem, parse
from werkzeug.exceptions import TooManyRequests

from .db import Base

CHECKED = "_rate_limits_checked"
STATE = "_limiter_request_context"  # Flask-Limiter's state, on the request context


class SessionLoginManager(LoginManager):
    """Flask-Login, without its after-request look for a remember-me instruction in the
    session of a request that brought no cookie at all. Such a request cannot hold one: the
    app never asks for remember-me, and a logout clears one only when the request brought
    its cookie. The look marked the session as read, so every cookieless answer (each API
    call) said ``Vary: Cookie`` and went through the session's saving, a fifteenth of a slots
    call's CPU (issue 13)."""

    def _update_remember_cookie(self, response):
        if not request.cookies and not current_app.config.get(
                "REMEMBER_COOKIE_REFRESH_EACH_REQUEST"):
            return response
        return super()._update_remember_cookie(response)


class ViewLimiter(Limiter):
    """Flask-Limiter with every limit on a view's decorator: no default, application or
    blueprint limits (tests/app/test_rate_limit_hooks.py holds this). Its hooks around every
    request then have nothing to do before the view, nor after one that declared no limit,
    yet cost a third of a plain request's CPU (profiled on /healthz), so they are skipped
    there; each decorator checks its view's limits as before."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._own = ProcessWindows()

    def count_in_process(self, limit: str, scope: str) -> None:
        """Count this request against ``limit`` in this process alone and refuse it (429)
        past it. For reads answered from the process's own cache: a shared count would be a
        Redis round trip costing as much as the answer. With N processes a client gets up to
        N times ``limit`` there, still a bound on any one client."""
        if not self.enabled:
            return
        wait = self.hit_in_process(limit, scope, self._key_func())
        if wait is not None:
            g.rate_limit_reset = time.time() + wait
            raise TooManyRequests()

    def hit_in_process(self, limit: str, scope: str, client: str) -> float | None:
        """count_in_process's count for ``client`` without a request context: None when the
        call is allowed (and counted), else the seconds until one would be (not counted)."""
        return self._own.hit((scope, client), _parsed(limit))

    def keys_by_address(self) -> bool:
        """Whether counts are keyed by the client's address (the WSGI environ's
        REMOTE_ADDR, as get_remote_address reads it from the request)."""
        return self._key_func is get_remote_address

    def reset(self) -> None:
        super().reset()
        self._own.clear()

    def _check_request_limit(self, callable_name: str | None = None,
                             in_middleware: bool = True) -> None:
        if in_middleware:
            return  # the view's decorator, which runs next, checks its limits
        g.setdefault(CHECKED, True)
        super()._check_request_limit(callable_name, in_middleware)

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        hooks = app.after_request_funcs.setdefault(None, [])
        for i, hook in enumerate(hooks):  # the limiter's own: conditional deductions, headers
            if isinstance(hook, partial) and hook.args == (self,):
                hooks[i] = partial(_after_checked, hook)
        teardowns = app.teardown_request_funcs.setdefault(None, [])
        for i, hook in enumerate(teardowns):  # the limiter's own: its state's reset
            if getattr(hook, "__self__", None) is self:
                teardowns[i] = partial(_release_if_made, hook)


class ProcessWindows:
    """Sliding-window counters in this process's memory: per key, the count of the current
    fixed window and of the one before, weighted by how much of it the sliding window still
    covers (the "sliding window counter" of the limits library). Constant work a hit, and
    stale keys are dropped only when the table is large. The limits library's own memory
    storage sweeps every key every 10 ms, which with thousands of residents cost more than the
    answers it guarded."""

    MAX_KEYS = 100_000

    def __init__(self) -> None:
        self._counts: dict[tuple, tuple[int, int, int]] = {}  # key: (window, previous, current)
        self._lock = threading.Lock()
        self._prune_at = self.MAX_KEYS

    def hit(self, key: tuple, item: RateLimitItem, now: float | None = None) -> float | None:
        """Count one request; None when allowed, else the seconds until one would be."""
        now = time.time() if now is None else now
        period, amount = item.get_expiry(), item.amount
        window = int(now // period)
        into = now / period - window  # how far into the current window, 0 to 1
        with self._lock:
            last, previous, current = self._counts.get(key, (window, 0, 0))
            if last == window - 1:
                previous, current = current, 0
            elif last != window:
                previous, current = 0, 0
            if previous * (1 - into) + current + 1 > amount:
                return _wait(previous, current, amount, into) * period
            self._counts[key] = (window, previous, current + 1)
            if len(self._counts) > self._prune_at:
                self._counts = {k: v for k, v in self._counts.items() if v[0] >= window - 1}
                # so many live keys that pruning freed little: not again until twice as many
                self._prune_at = max(self.MAX_KEYS, 2 * len(self._counts))
        return None

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


def _wait(previous: int, current: int, amount: int, into: float) -> float:
    """Windows (fractions of one) until previous × (1 − into′) + current′ + 1 ≤ amount."""
    if current + 1 <= amount:  # in this window, once the previous one's weight has fallen
        return max(0.0, 1 - (amount - current - 1) / previous - into)
    # in the next window, where this one's count becomes the previous one
    return (1 - into) + max(0.0, 1 - (max(amount, 1) - 1) / current)


@lru_cache(maxsize=64)
def _parsed(limit: str) -> RateLimitItem:
    return parse(limit)


def _after_checked(hook, response):
    return hook(response) if g.get(CHECKED) else response


def _release_if_made(hook, exc: BaseException | None = None) -> None:
    # Flask-Limiter keeps a request's state on its request context, which ends with it; its
    # teardown made that state for every request only to reset it (a fifteenth of a plain
    # request's CPU, issue 13). A request that made it still has it reset.
    if hasattr(request_ctx._get_current_object(), STATE):  # type: ignore[attr-defined]
        hook(exc)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = SessionLoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = ViewLimiter(key_func=get_remote_address, default_limits=[])
