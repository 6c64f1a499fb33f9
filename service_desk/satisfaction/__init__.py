"""The satisfaction dashboard: evaluation and good-rating rates, for supervisors (/satisfaction)."""
from flask import Blueprint

bp = Blueprint("satisfaction", __name__, url_prefix="/satisfaction", template_folder="templates")

from . import routes  # noqa: F401
