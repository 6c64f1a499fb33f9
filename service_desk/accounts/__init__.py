"""Accounts: login, logout, roles."""
from flask import Blueprint

bp = Blueprint("accounts", __name__, template_folder="templates")

from .labels import ROLE_LABELS


@bp.app_context_processor
def role_words() -> dict:
    """``role_label(role)`` in every template: a role in words."""
    return {"role_label": lambda role: ROLE_LABELS.get(role, "")}


from . import routes, tokens  # noqa: F401
