"""Where each role's work starts: the page a user lands on after signing in."""
from __future__ import annotations

from flask import url_for

from ..permissions import Role

# staff: their unit's items and today's appointments; operators: the hotline console;
# supervisors: the overdue board; administrators: the accounts page
LANDING_ENDPOINTS = {
    Role.STAFF: "main.work",
    Role.OPERATOR: "hotline.console",
    Role.SUPERVISOR: "supervision.board",
    Role.ADMIN: "admin.users",
    Role.LEADER: "projects.mine",
}


def landing_url(user) -> str:
    """The signed-in user's own work page; the home page for anyone else."""
    endpoint = LANDING_ENDPOINTS.get(getattr(user, "role", None))
    if endpoint is None or not getattr(user, "is_authenticated", False):
        return url_for("main.home")
    return url_for(endpoint)


def after_sign_in(user, requested: str | None, safe: str) -> str:
    """A safe `next` wins; without one (or with an unsafe one) the role's own work.

    `safe` is base.links.safe_next(requested): equal to what was asked only when it was safe.
    """
    if requested and safe == requested.strip():
        return safe
    return landing_url(user)
