"""The request id, one log line per request, and the format of every line the app logs.

Each request gets an id: the caller's ``X-Request-ID`` when it is short and plain (a proxy's
or a client's, to follow one call across systems), else a new one. It goes back in the
``X-Request-ID`` header and onto every line logged while the request runs, the error
handler's traceback included. The request's line names the route's template
(``/my-booking/<token>``), never the path or query string as sent: those can hold a phone
number or a booking's secret link.

``LOG_FORMAT``: ``json`` (one object a line, for the log collector) or ``text``; unset, text
in development (ENV_NAME ``development``) and JSON everywhere else.
"""
from __future__ import annotations

import logging
import random
import re
import sys
import time

from flask import Flask, Response, current_app, g, has_app_context, has_request_context, request
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import inspect

from ..config import ConfigError

HEADER = "X-Request-ID"
SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
EXTENSION = "service_desk.log_format"

log = logging.getLogger("service_desk.request")


def request_id() -> str:
    """This request's id (made on first use if the request began before our hook ran)."""
    if "request_id" not in g:
        incoming = request.headers.get(HEADER, "")
        # unique, not secret: 128 random bits as 32 hex digits, without uuid4's system call
        g.request_id = incoming if SAFE_ID.fullmatch(incoming) else f"{random.getrandbits(128):032x}"
    return g.request_id


def elapsed() -> float:
    """Seconds since the request began."""
    return time.perf_counter() - g.get("request_started", time.perf_counter())


def _user_id() -> int | None:
    """Who asked, if the request already knew: the API token's user or a session's user once
    loaded. Never loads one (that would query the database for the log), and reads the id
    from the identity map (a committed user's attributes are expired)."""
    user = g.get("api_user") or g.get("_login_user")
    state = inspect(user, raiseerr=False) if user is not None else None
    return state.identity[0] if state is not None and state.identity else None


class RequestIdFilter(logging.Filter):
    """Puts the request id on every record logged while a request runs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


class AppFormatter(logging.Formatter):
    """JSON or text, as the app that logs is configured (several apps can share a process,
    as in the tests); outside any app, as the app set up last."""

    def __init__(self) -> None:
        super().__init__()
        self.default = "json"
        self.json = JsonFormatter(["levelname", "name", "message"], timestamp="time",
                                  rename_fields={"levelname": "level", "name": "logger"})
        self.text = logging.Formatter(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        chosen = current_app.extensions.get(EXTENSION) if has_app_context() else None
        return (self.text if (chosen or self.default) == "text" else self.json).format(record)


class AppLogHandler(logging.StreamHandler):
    """To the process's stderr as it is at each line (gunicorn and test runners swap it)."""

    _stream = None

    @property  # type: ignore[override]
    def stream(self):
        return self._stream or sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        self._stream = None if value is sys.stderr else value


def log_format(app: Flask) -> str:
    wanted = app.config.get("LOG_FORMAT") or (
        "text" if app.config.get("ENV_NAME") == "development" else "json")
    if wanted not in ("json", "text"):
        raise ConfigError(f"SERVICE_DESK_LOG_FORMAT must be json or text, not {wanted!r}")
    return wanted


def _skip_unused_record_fields() -> None:
    """Neither format prints the caller's file and line, the thread or the process, so the
    records need not look them up (the logging HOWTO's "Optimization"): the stack walk alone
    was a tenth of each request's log line."""
    logging._srcfile = None  # type: ignore[attr-defined]
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def _install_handler(app: Flask) -> None:
    """One handler on the app's logger ("service_desk"), shared by every app of the process;
    Flask's default handler would print each line a second time."""
    _skip_unused_record_fields()
    logger = app.logger
    handler = next((h for h in logger.handlers if isinstance(h, AppLogHandler)), None)
    if handler is None:
        handler = AppLogHandler()
        handler.setFormatter(AppFormatter())
        handler.addFilter(RequestIdFilter())
        logger.addHandler(handler)
    logger.removeHandler(default_handler)
    logger.setLevel(app.config["LOG_LEVEL"])
    app.extensions[EXTENSION] = log_format(app)
    handler.formatter.default = app.extensions[EXTENSION]  # type: ignore[union-attr]


def _begin() -> None:
    g.request_started = time.perf_counter()
    request_id()


def _end(response: Response) -> Response:
    response.headers[HEADER] = request_id()
    path = request.url_rule.rule if request.url_rule is not None else None
    duration_ms = round(elapsed() * 1000, 2)
    log.info("%s %s %s %.1fms", request.method, path or "(no route)", response.status_code,
             duration_ms,
             extra={"method": request.method, "path": path, "status": response.status_code,
                    "duration_ms": duration_ms, "user_id": _user_id()})
    return response


def init_app(app: Flask) -> None:
    _install_handler(app)
    # first of all before_request hooks: a request refused by an earlier one (rate limit,
    # input guard) still has its id and its start time
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.after_request(_end)
