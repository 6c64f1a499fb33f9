"""Friendly error pages, the contract's JSON error shape under /api, and the Open311 error
array under /open311."""
from __future__ import annotations

import math
import time

from flask import Flask, abort, current_app, g, jsonify, make_response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from ..base.inputs import printable, storable_text
from ..base.links import safe_next
from ..extensions import db, limiter
from ..i18n import elder_mode
from ..open311.serialize import error_response


def wants_json() -> bool:
    return request.path.startswith("/api/")


def wants_open311() -> bool:
    """Open311 answers its errors in its own shape, in the format of the path's extension."""
    return request.path.startswith("/open311/")


def api_error(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status


UNSTORABLE = "must not contain NUL or other characters that are not text"


def _plain_url(environ) -> bool:
    """Printable ASCII and no percent-escape in the query: nothing there can decode to NUL or
    a surrogate, so the path and arguments need no closer look (most requests: it saves a
    tenth of a plain request's CPU)."""
    path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
    return (path.isascii() and path.isprintable() and query.isascii() and query.isprintable()
            and "%" not in query)


def unstorable_input() -> dict[str, str]:
    """The parts of the request holding NUL or a lone surrogate: the path, query-string
    arguments and (off the API, which reads JSON only) form fields, by name."""
    found: dict[str, str] = {}
    sources = []
    if not _plain_url(request.environ):
        if not storable_text(request.path):
            found["path"] = UNSTORABLE
        sources.append(request.args)
    if not wants_json() and request.environ.get("CONTENT_TYPE"):
        sources.append(request.form)
    for source in sources:
        for name, value in source.items(multi=True):
            if not (storable_text(name) and storable_text(value)):
                found[printable(name)] = UNSTORABLE
    return found


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) means the database cannot be reached: refused or
    dropped connections, an exhausted pool, a database that is locked or not there."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, (OperationalError, InterfaceError, PoolTimeout)):
            return True
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            return True
        exc = getattr(exc, "original_exception", None) or exc.__cause__ or exc.__context__
    return False


def unavailable_response():
    """503 with Retry-After in each channel's shape. The page is rendered from the template
    alone: no context processor runs, so nothing loads the signed-in user from the database."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass  # the connection is gone already; there is nothing to undo
    message = _("The service is briefly unavailable. Please try again in a moment.")
    if wants_open311():
        response = error_response(503, [message])
    elif wants_json():
        response = api_error(503, "unavailable", message)[0]
    else:
        page = current_app.jinja_env.get_template("errors/503.html")
        locale = str(get_locale())
        response = make_response(page.render(
            elder_mode=elder_mode(), html_lang="zh-CN" if locale.startswith("zh") else locale,
            again=safe_next(request.path) if request.method == "GET" else None))
    response.status_code = 503
    response.headers["Retry-After"] = str(current_app.config["RETRY_AFTER_SECONDS"])
    return response


def retry_after_seconds() -> int | None:
    """Seconds until the rate limit that refused this request lets the client in again."""
    current = limiter.current_limit
    reset_at = current.reset_at if current is not None else g.get("rate_limit_reset")
    if reset_at is None:  # limiter.count_in_process leaves its reset time in g
        return None
    return max(1, math.ceil(reset_at - time.time()))


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_unstorable_input():
        """One guard before any view: such text would fail in the database (PostgreSQL
        refuses NUL) or in UTF-8. Open311 answers its own format and checks its input."""
        if wants_open311():
            return None
        found = unstorable_input()
        if not found:
            return None
        if wants_json():
            return api_error(400, "invalid_characters",
                             "the path, query string or form holds NUL or a character that is "
                             "not text", found)
        abort(400)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if database_unavailable(exc):  # a 500 whose cause, or whose error page, hit the database
            return unavailable_response()
        status = exc.code or 500
        if wants_open311():
            response = error_response(status, [exc.description or exc.name])
        elif wants_json():
            code = (exc.name or "error").lower().replace(" ", "_")
            response = api_error(status, code, exc.description or exc.name)[0]
            response.status_code = status
        else:
            template = {403: "errors/403.html", 404: "errors/404.html",
                        429: "errors/429.html"}.get(status, "errors/generic.html")
            wait = retry_after_seconds() if status == 429 else None
            response = app.make_response((render_template(
                template, status=status, name=exc.name,
                wait_minutes=max(1, round(wait / 60)) if wait else None,
                hotline=current_app.config.get("HOTLINE_NUMBER")), status))
        if status == 429 and "Retry-After" not in response.headers:
            wait = retry_after_seconds()
            if wait:  # the page says it in words; clients read the header
                response.headers["Retry-After"] = str(wait)
        if getattr(exc, "valid_methods", None):  # a 405 still says what is allowed
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def server_error(exc: Exception):
        if database_unavailable(exc):
            app.logger.exception("database unavailable")
            return unavailable_response()
        db.session.rollback()
        app.logger.exception("unhandled error")
        if wants_open311():
            return error_response(500, [_("Something went wrong on our side.")])
        if wants_json():
            return api_error(500, "internal_error", _("Something went wrong on our side."))
        return render_template("errors/500.html", status=500), 500
