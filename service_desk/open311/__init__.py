"""Open311 GeoReport v2 under /open311/v2: client applications list our request services,
post problem reports with an api_key, and follow them as staff handle them."""
from flask import Blueprint

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

from . import routes  # noqa: F401
