"""Home page, health checks and display preferences."""
from flask import Blueprint

bp = Blueprint("main", __name__, template_folder="templates")

from . import routes  # noqa: F401
