"""好差评: residents rate a finished service (pages under /rate); domain in services/stats."""
from flask import Blueprint

bp = Blueprint("ratings", __name__, url_prefix="/rate", template_folder="templates")

from . import routes  # noqa: F401
