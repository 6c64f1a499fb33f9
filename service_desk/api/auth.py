"""Bearer tokens for staff API calls, and the rate limits of the public endpoints."""
from __future__ import annotations

from flask import g, request
from flask_login import current_user

from ..accounts.services import user_for_token
from . import bp
from .body import ApiProblem


@bp.before_request
def load_bearer_user() -> None:
    """A valid bearer token signs the call in; the session cookie is not used for writes."""
    g.api_user = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        g.api_user = user_for_token(header[len("Bearer "):].strip())


def api_user():
    """Who is asking, for reads: the token's user, else a signed-in browser session."""
    return g.get("api_user") or (current_user if current_user.is_authenticated else None)


def bearer_user():
    """The token's user, for staff calls (never the session cookie: the API has no CSRF
    check); 401 without a valid, unrevoked token of an active account."""
    user = g.get("api_user")
    if user is None:
        raise ApiProblem(401, "unauthorized", "a valid bearer token is required",
                         headers={"WWW-Authenticate": 'Bearer realm="service-desk"'})
    return user
