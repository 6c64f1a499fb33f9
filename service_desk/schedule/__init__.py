"""A unit's day and week: hall appointments and home visits."""
from flask import Blueprint

bp = Blueprint("schedule", __name__, url_prefix="/schedule", template_folder="templates")

from . import checkin, closures, routes  # noqa: F401
