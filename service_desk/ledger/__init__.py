"""The ledger in Excel, both ways: export (xlsx, csv) and all-or-nothing import."""
from flask import Blueprint

bp = Blueprint("ledger", __name__, url_prefix="/matters", template_folder="templates")

from . import routes  # noqa: F401
