"""JSON API under /api/v1."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# each module registers its routes (and body/auth their before_request hooks) on bp
from . import (  # noqa: F401
    appointments,
    auth,
    body,
    openapi,
    projects,
    ratings,
    reports,
    requests,
    routes,
)
