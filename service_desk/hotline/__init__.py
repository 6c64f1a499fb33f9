"""The hotline operators' console: a call in progress, the caller's earlier requests, booking and reporting on their behalf."""
from flask import Blueprint

bp = Blueprint("hotline", __name__, url_prefix="/hotline", template_folder="templates")

from . import ratings, routes  # noqa: F401
