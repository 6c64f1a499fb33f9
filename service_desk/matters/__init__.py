"""The practical-matters ledger pages."""
from flask import Blueprint

bp = Blueprint("matters", __name__, url_prefix="/matters", template_folder="templates")

from . import routes  # noqa: F401
