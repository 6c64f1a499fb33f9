"""Friendly error pages, the contract's JSON error shape under /api, and the Open311 error
array under /open311."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..open311.serialize import error_response


def wants_json() -> bool:
    return request.path.startswith("/api/")


def wants_open311() -> bool:
    """Open311 answers its errors in its own shape, in the format of the path's extension."""
    return request.path.startswith("/open311/")


def api_error(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        if wants_open311():
            response = error_response(status, [exc.description or exc.name])
            if getattr(exc, "valid_methods", None):  # a 405 still says what is allowed
                response.headers["Allow"] = ", ".join(exc.valid_methods)
            return response
        if wants_json():
            code = (exc.name or "error").lower().replace(" ", "_")
            return api_error(status, code, exc.description or exc.name)
        template = {403: "errors/403.html", 404: "errors/404.html", 429: "errors/429.html"}.get(
            status, "errors/generic.html")
        return render_template(template, status=status, name=exc.name), status

    @app.errorhandler(Exception)
    def server_error(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error")
        if wants_open311():
            return error_response(500, [_("Something went wrong on our side.")])
        if wants_json():
            return api_error(500, "internal_error", _("Something went wrong on our side."))
        return render_template("errors/500.html", status=500), 500
