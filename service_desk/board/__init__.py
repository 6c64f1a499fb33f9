"""The public progress board: no login, no personal data."""
from flask import Blueprint

bp = Blueprint("board", __name__, url_prefix="/board", template_folder="templates")

from . import routes  # noqa: F401
