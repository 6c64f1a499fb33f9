"""Every access rule in one place: role checks (decorators) and per-object checks.

Views call these; the API, the CLI and the pages share them, so a rule lives here only.
"""
from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING, Callable, TypeVar

from flask import abort, request
from flask_login import current_user

from .accounts.models import Role

if TYPE_CHECKING:  # type hints only: importing feature models here would make import cycles
    from .accounts.models import User
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


def can_supervise(user: User | None) -> bool:
    """The overdue board, scorecard, notices and extension decisions."""
    return has_role(user, Role.SUPERVISOR, Role.ADMIN)


def can_request_extension(user: User | None, matter: Matter) -> bool:
    return can_update_matter(user, matter)


def can_view_notice(user: User | None, notice) -> bool:
    if can_supervise(user):
        return True
    return has_role(user, Role.STAFF) and user.unit_id == notice.unit_id


def can_reply_notice(user: User | None, notice) -> bool:
    """Only the staff of the unit the notice was sent to."""
    return has_role(user, Role.STAFF) and user.unit_id == notice.unit_id


def can_view_attachment(user: User | None, matter: Matter) -> bool:
    """Evidence may show people: signed-in staff roles only, never the public board."""
    return has_role(user, *STAFF_ROLES)


def is_on_public_board(item) -> bool:
    """The public progress board shows public items only, to everyone, signed in or not.

    Board queries apply the same rule in SQL (``Matter.is_public``) for lists and counts.
    """
    return bool(item.is_public)


def can_read_outbox(user: User | None) -> bool:
    """The notification outbox (recipients are staff addresses): administrators only."""
    return has_role(user, Role.ADMIN)


def can_export_ledger(user: User | None) -> bool:
    """The whole ledger as a spreadsheet (.xlsx, .csv): supervisors and administrators."""
    return has_role(user, Role.SUPERVISOR, Role.ADMIN)


def can_import_ledger(user: User | None) -> bool:
    """Creating and updating items from a spreadsheet: supervisors and administrators."""
    return has_role(user, Role.SUPERVISOR, Role.ADMIN)
