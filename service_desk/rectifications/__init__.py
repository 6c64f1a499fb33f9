"""差评整改: units follow up bad ratings; supervisors decide appeals (pages under /rectifications)."""
from flask import Blueprint

bp = Blueprint("rectifications", __name__, url_prefix="/rectifications",
               template_folder="templates")

from . import routes  # noqa: F401
