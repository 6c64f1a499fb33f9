"""The slots lane: a cached slots answer served before Flask (issue 13).

``GET /api/v1/services/<code>/slots`` is the residents' hottest read (a popular service opening
its next fortnight is polled by every phone waiting for it). Its answer comes from this
process's cache after one version read (api/slots_cache.py), yet Flask's request context,
hooks and response object cost the call more than that read. This WSGI layer, inside ProxyFix
(so the client address is the one the proxy reports), answers the call itself when it is
plain and its answer is already cached for the version just read:

- GET with no cookie, no Authorization and no body, a query of at most ``from`` and ``to``
  (each once, as YYYY-MM-DD), a service code of letters, digits, ``-``, ``_`` and ``.``;
- the window valid (api/slots_window.py), the read limit not reached, the service active and
  booked for a time, the window cached for its current version.

Everything else goes on to the Flask route, which answers as always: the first call after a
change (filling the cache), every error and refusal, a signed-in or cookie-carrying caller.
The same rules run either way, as the same functions: the window, the read limit's count in
this process (counted once: the route skips a call the lane counted), the version read, the
answer and its ETag, the security headers, the request id, the log line and the metrics.
tests/api/test_slots_lane.py holds the two answers equal, header for header.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import parse_etags, quote_etag

from .api.slots_cache import cached_answer, held_version, session_engine
from .api.slots_window import slots_window
from .base.calendar import local_day
from .base.limits import CACHED_READ, COUNTED_BY_LANE, READ_LIMIT
from .catalog.models import ServiceKind
from .db import utcnow
from .extensions import db, limiter
from .observability import answered, request_log
from .security import plain_answer_headers

ENDPOINT = "api.slots"
PLAIN_CODE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
WINDOW_ARGS = frozenset({"from", "to"})

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class SlotsLane:
    def __init__(self, app: Flask, inner: WSGIApp) -> None:
        self.app = app
        self.inner = inner
        [rule] = [r.rule for r in app.url_map.iter_rules() if r.endpoint == ENDPOINT]
        self.rule = rule  # "/api/v1/services/<code>/slots", as the route's log line names it
        self.prefix, self.suffix = rule.split("<code>")
        with app.app_context():
            self.engine = db.engine

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        call = self._plain_call(environ)
        try:
            body = call is not None and self._answer(environ, start_response, started, *call)
        except Exception:
            # the lane only saves work: whatever fails in it, the route answers the call and
            # reports its own errors; this one is logged, not hidden
            self.app.logger.warning("slots lane: the route answers instead", exc_info=True)
            body = None
        return body or self.inner(environ, start_response)

    def _plain_call(self, environ: dict) -> tuple[str, str | None, str | None] | None:
        """(code, from, to) of a call the lane may answer, else None."""
        path = environ.get("PATH_INFO", "")
        if (environ.get("REQUEST_METHOD") != "GET" or not path.startswith(self.prefix)
                or not path.endswith(self.suffix) or "HTTP_COOKIE" in environ
                or "HTTP_AUTHORIZATION" in environ or "HTTP_TRANSFER_ENCODING" in environ
                or environ.get("CONTENT_LENGTH") not in (None, "", "0")):
            return None
        code = path[len(self.prefix):len(path) - len(self.suffix)]
        if not PLAIN_CODE.fullmatch(code):
            return None
        args: dict[str, str] = {}
        query = environ.get("QUERY_STRING", "")
        for pair in query.split("&") if query else ():
            name, _, value = pair.partition("=")
            if name not in WINDOW_ARGS or name in args or not PLAIN_DATE.fullmatch(value):
                return None
            args[name] = value
        return code, args.get("from"), args.get("to")

    def _answer(self, environ: dict, start_response: Callable, started: float, code: str,
                raw_from: str | None, raw_to: str | None) -> list[bytes] | None:
        """The answer, or None to pass the call on to Flask."""
        config = self.app.config
        now = utcnow()
        today = local_day(now, config["TIMEZONE"])
        window = slots_window(raw_from, raw_to, today)
        if isinstance(window, dict):
            return None
        engine = session_engine(self.engine)
        if engine is None:  # sessions bound to one connection (tests): only they may read
            return None
        if limiter.enabled:
            # a refused call is not counted: the route refuses it again, with its 429
            if limiter.hit_in_process(config[READ_LIMIT], CACHED_READ,
                                      environ.get("REMOTE_ADDR") or "127.0.0.1") is not None:
                return None
            environ[COUNTED_BY_LANE] = True
        try:
            service = held_version(engine, code)
        except SQLAlchemyError:
            return None  # the route reads again and answers the error (503)
        if service is None or service.kind is not ServiceKind.APPOINTMENT:
            return None
        first, last = window
        answer = cached_answer(service_id=service.id, version=service.slots_version,
                               first=first, last=last, today=today, now=now)
        if answer is None:
            return None
        # as the route: 304 for a client holding this version (a weak match, as for any GET)
        current = ("HTTP_IF_NONE_MATCH" in environ
                   and parse_etags(environ["HTTP_IF_NONE_MATCH"]).contains_weak(answer.etag))
        request_id = request_log.choose_request_id(environ.get("HTTP_X_REQUEST_ID", ""))
        headers = [("Content-Type", "application/json"),
                   ("Content-Length", str(len(answer.body)))] if not current else []
        headers += [("ETag", quote_etag(answer.etag)), ("Cache-Control", "no-cache"),
                    (request_log.HEADER, request_id),
                    *plain_answer_headers(environ.get("wsgi.url_scheme") in ("https", "wss"))]
        status = 304 if current else 200
        # the line and the metrics before the answer leaves, as the route's hooks do (and
        # should they fail, start_response has not been called: the route can still answer)
        answered(self.app, self.rule, "GET", status, time.perf_counter() - started, request_id)
        start_response("304 NOT MODIFIED" if current else "200 OK", headers)
        return [b""] if current else [answer.body]


def install(app: Flask) -> None:
    """Put the lane in front of the app's Flask handling (and inside ProxyFix). Only while
    the limiter keys its counts by the client's address, which the lane reads from the
    environ as Flask-Limiter's get_remote_address does from the request."""
    if not limiter.keys_by_address():
        return
    app.wsgi_app = SlotsLane(app, app.wsgi_app)  # type: ignore[method-assign]
