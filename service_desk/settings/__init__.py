"""Administrators set each service's booking rules: hours, slots, capacity, closures."""
from flask import Blueprint

bp = Blueprint("settings", __name__, url_prefix="/admin/services", template_folder="templates")

from . import routes  # noqa: E402,F401
