"""JSON API under /api/v1."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import appointments, auth, openapi, routes  # noqa: E402,F401
