"""Bearer tokens for staff API calls."""
from __future__ import annotations

from flask import g, request
from flask_login import current_user

from ..accounts.services import user_for_token
from . import bp


@bp.before_request
def load_bearer_user() -> None:
    """A valid bearer token signs the call in; the session cookie is not used by the API."""
    g.api_user = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        g.api_user = user_for_token(header[len("Bearer "):].strip())


def api_user():
    return g.get("api_user") or (current_user if current_user.is_authenticated else None)
