"""Administration: accounts and the audit trail."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

from . import routes  # noqa: F401
