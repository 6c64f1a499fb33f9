"""Supervisors: the overdue board, unit scorecard, supervision notices, extension decisions."""
from flask import Blueprint

bp = Blueprint("supervision", __name__, url_prefix="/supervision", template_folder="templates")

from . import routes  # noqa: F401
