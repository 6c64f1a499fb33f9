"""Accounts: login, logout, roles."""
from flask import Blueprint

bp = Blueprint("accounts", __name__, template_folder="templates")

from . import routes, tokens  # noqa: E402,F401
