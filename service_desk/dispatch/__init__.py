"""Dispatched requests (派单, 签收, 办理, 办结, 回访, 退回) and request details."""
from flask import Blueprint

bp = Blueprint("dispatch", __name__, url_prefix="/requests", template_folder="templates")

from . import routes  # noqa: F401
