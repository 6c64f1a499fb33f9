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

import datetime as dt
import json
import logging
import random
import re
import sys
import time

from flask import Flask, Response, current_app, g, has_app_context, has_request_context, request
from flask.logging import default_handler
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import inspect

from ..config import ConfigError

HEADER = "X-Request-ID"
SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
EXTENSION = "service_desk.log_format"
FORMAT_ATTR = "log_format"  # a record's own choice of format (AppFormatter)

log = logging.getLogger("service_desk.request")


def choose_request_id(incoming: str) -> str:
    """The caller's id when it is short and plain, else a new one."""
    # unique, not secret: 128 random bits as 32 hex digits, without uuid4's system call
    return incoming if SAFE_ID.fullmatch(incoming) else f"{random.getrandbits(128):032x}"


def request_id() -> str:
    """This request's id (made on first use if the request began before our hook ran)."""
    if "request_id" not in g:
        g.request_id = choose_request_id(request.headers.get(HEADER, ""))
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
    as in the tests): the record's own ``log_format`` (a line logged outside any app
    context, as the slots lane's), else the app context's, else the app set up last's."""

    def __init__(self) -> None:
        super().__init__()
        self.default = "json"
        self.json = JsonFormatter(["levelname", "name", "message"], timestamp="time",
                                  rename_fields={"levelname": "level", "name": "logger"},
                                  reserved_attrs=[*RESERVED_ATTRS, FORMAT_ATTR])
        self.text = logging.Formatter(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        chosen = getattr(record, FORMAT_ATTR, None) or (
            current_app.extensions.get(EXTENSION) if has_app_context() else None)
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

    def write_line(self, line: str) -> bool:
        """``line`` written as emit writes a formatted record; False when it failed (the
        caller then logs it through logging, which reports the failure its own way)."""
        self.acquire()
        try:
            self.stream.write(line + self.terminator)
            self.flush()
            return True
        except Exception:  # noqa: BLE001 (logging's emit, which the caller falls back to, reports it)
            return False
        finally:
            self.release()


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


def log_request(method: str, path: str | None, status: int, seconds: float,
                user_id: int | None, request_id: str, log_format: str) -> None:
    """The request's line, with its id, in the app's format (given: the slots lane logs
    outside any request or app context)."""
    duration_ms = round(seconds * 1000, 2)
    fields = {"method": method, "path": path, "status": status, "duration_ms": duration_ms,
              "user_id": user_id, "request_id": request_id}
    if log_format == "json" and log.isEnabledFor(logging.INFO):
        handler = _sole_handler()
        if handler is not None and handler.write_line(json.dumps(
                {"level": "INFO", "logger": log.name,
                 "message": f"{method} {path or '(no route)'} {status} {duration_ms:.1f}ms",
                 **fields, "time": dt.datetime.now(dt.UTC).isoformat()})):
            return
    log.info("%s %s %s %.1fms", method, path or "(no route)", status, duration_ms,
             extra={**fields, FORMAT_ATTR: log_format})


def _sole_handler() -> AppLogHandler | None:
    """Our handler, when the request's line would reach it and nothing else, through no
    filter but ours (as in production). The line is then written to it straight, as the
    JSON the formatter would make: logging's record, filter and formatter machinery was a
    fifth of a cached slots call's CPU (issue 13). Any other set-up (a handler or filter
    added, pytest's capture on the root logger, the text format) goes through logging."""
    app_logger = log.parent
    if (log.handlers or log.filters or not log.propagate or app_logger is None
            or app_logger.filters or len(app_logger.handlers) != 1
            or (app_logger.propagate and logging.root.handlers)):
        return None
    handler = app_logger.handlers[0]
    if (type(handler) is not AppLogHandler or type(handler.formatter) is not AppFormatter
            or handler.level > logging.INFO or len(handler.filters) != 1
            or type(handler.filters[0]) is not RequestIdFilter):
        return None
    return handler


def _end(response: Response) -> Response:
    response.headers[HEADER] = rid = request_id()
    path = request.url_rule.rule if request.url_rule is not None else None
    log_request(request.method, path, response.status_code, elapsed(), _user_id(), rid,
                current_app.extensions.get(EXTENSION) or "json")
    return response


def init_app(app: Flask) -> None:
    _install_handler(app)
    # first of all before_request hooks: a request refused by an earlier one (rate limit,
    # input guard) still has its id and its start time
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.after_request(_end)
