"""Residents book, view, reschedule and cancel appointments without an account."""
from flask import Blueprint

bp = Blueprint("booking", __name__, template_folder="templates")

from . import manage, routes  # noqa: F401
