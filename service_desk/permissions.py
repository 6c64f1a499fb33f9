"""Every access rule in one place: role checks (decorators) and per-object checks.

Views call these; the API, the CLI and the pages share them, so a rule lives here only.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable, TypeVar

from flask import abort, request
from flask_login import current_user

from .accounts.models import Role, User
from .matters.models import Matter

F = TypeVar("F", bound=Callable)

STAFF_ROLES = (Role.OPERATOR, Role.STAFF, Role.SUPERVISOR, Role.ADMIN)


def has_role(user, *roles: Role) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role in roles


def role_required(*roles: Role) -> Callable[[F], F]:
    """Anonymous users go to the login page (or get 401 from the API); wrong roles get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                if request.blueprint == "api":
                    abort(401)
                from .extensions import login_manager

                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def require(allowed: bool) -> None:
    """Abort with 403 unless the per-object check passed."""
    if not allowed:
        abort(403)


def can_view_matter(user: User | None, matter: Matter) -> bool:
    """Public items are for everyone; private ones for signed-in staff of any role."""
    if matter.is_public:
        return True
    return has_role(user, *STAFF_ROLES)


def can_update_matter(user: User | None, matter: Matter) -> bool:
    """Status and progress: the lead unit's staff, and administrators."""
    if has_role(user, Role.ADMIN):
        return True
    return (
        has_role(user, Role.STAFF)
        and user.unit_id is not None
        and user.unit_id == matter.lead_unit_id
    )


def can_note_matter(user: User | None, matter: Matter, co_unit_ids: set[int]) -> bool:
    """Notes without a status change: the lead unit, its co-units, administrators."""
    if can_update_matter(user, matter):
        return True
    return has_role(user, Role.STAFF) and user.unit_id in co_unit_ids


def can_manage_users(user: User | None) -> bool:
    return has_role(user, Role.ADMIN)


def can_read_audit(user: User | None) -> bool:
    return has_role(user, Role.ADMIN, Role.SUPERVISOR)
