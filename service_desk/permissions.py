"""Every access rule in one place: role checks (decorators) and per-object checks.

Views call these; the API, the CLI and the pages share them, so a rule lives here only.
"""
from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, request
from flask_login import current_user

from .extensions import login_manager

F = TypeVar("F", bound=Callable)
# the signed-in user (accounts.User) or Flask-Login's anonymous one; and the objects checked.
# Feature models are not imported here: every feature imports this module.
User = Any
Matter = Any


class Role(enum.Enum):
    """What a staff account may do; stored on accounts.User."""

    OPERATOR = "operator"
    STAFF = "staff"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    LEADER = "leader"  # 区领导: a district leader, in charge of key projects


# the roles that work requests, appointments and the matters ledger. District leaders are
# not among them: they see the key projects they lead (PROJECT_ROLES, can_view_project).
STAFF_ROLES = (Role.OPERATOR, Role.STAFF, Role.SUPERVISOR, Role.ADMIN)
# the roles with project pages: each project is then checked with can_view_project
PROJECT_ROLES = (Role.STAFF, Role.SUPERVISOR, Role.ADMIN, Role.LEADER)


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
    """Public items are for everyone; private ones and synthetic (demo, load-test) ones for
    signed-in staff of any role."""
    if matter.is_public and not matter.is_synthetic:
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


def can_see_all_tokens(user: User | None) -> bool:
    """API tokens of every account (to revoke a lost one): administrators."""
    return has_role(user, Role.ADMIN)


def can_revoke_token(user: User | None, token) -> bool:
    """Your own tokens; administrators anyone's."""
    if has_role(user, Role.ADMIN):
        return True
    return has_role(user, *STAFF_ROLES) and token.user_id == user.id


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


def can_see_names(user: User | None) -> bool:
    """Names of responsible people and staff: signed-in staff roles; the public sees none,
    on the board and through the API alike."""
    return has_role(user, *STAFF_ROLES)


def is_on_public_board(item) -> bool:
    """The public progress board shows public items only, to everyone, signed in or not;
    synthetic (demo, load-test) items never.

    Board queries apply the same rule in SQL (``Matter.is_public``, ``Matter.is_synthetic``)
    for lists and counts.
    """
    return bool(item.is_public) and not item.is_synthetic


def can_read_outbox(user: User | None) -> bool:
    """The notification outbox (recipients are staff addresses): administrators only."""
    return has_role(user, Role.ADMIN)


def can_export_ledger(user: User | None) -> bool:
    """The whole ledger as a spreadsheet (.xlsx, .csv): supervisors and administrators."""
    return has_role(user, Role.SUPERVISOR, Role.ADMIN)


def can_import_ledger(user: User | None) -> bool:
    """Creating and updating items from a spreadsheet: supervisors and administrators."""
    return has_role(user, Role.SUPERVISOR, Role.ADMIN)


# --- residents' requests: the hotline console and dispatched requests ---------------------

def can_use_hotline(user: User | None) -> bool:
    """The hotline console: search callers' requests, book and report for them, note calls."""
    return has_role(user, Role.OPERATOR, Role.ADMIN)


def can_list_requests(user: User | None) -> bool:
    """The requests list: staff see their unit's; operators, supervisors and admins all."""
    return has_role(user, *STAFF_ROLES)


def _staff_of_request_unit(user: User | None, item) -> bool:
    return (has_role(user, Role.STAFF) and user.unit_id is not None
            and user.unit_id == item.unit_id)


def can_view_request(user: User | None, item) -> bool:
    """A request's detail: admins, supervisors, operators, and staff of the unit it is with."""
    if has_role(user, Role.ADMIN, Role.SUPERVISOR, Role.OPERATOR):
        return True
    return _staff_of_request_unit(user, item)


def can_view_request_phone(user: User | None, item) -> bool:
    """The resident's full number (each view audited): the same people as the detail."""
    return can_view_request(user, item)


def can_work_request(user: User | None, item) -> bool:
    """Accept, handle, resolve or return: staff of the request's unit, and admins."""
    return has_role(user, Role.ADMIN) or _staff_of_request_unit(user, item)


def can_reassign_request(user: User | None) -> bool:
    """Send a returned request to another unit: supervisors and admins."""
    return has_role(user, Role.SUPERVISOR, Role.ADMIN)


def can_call_back_request(user: User | None, item) -> bool:
    """Call the resident back after resolution: operators, staff of the unit, admins."""
    return has_role(user, Role.OPERATOR, Role.ADMIN) or _staff_of_request_unit(user, item)


# ---- unit schedule (schedule/): hall appointments and home visits ----

def can_view_schedule(user: User | None) -> bool:
    """A unit's day and week: its staff, and supervisors and administrators (any unit)."""
    if has_role(user, Role.SUPERVISOR, Role.ADMIN):
        return True
    return has_role(user, Role.STAFF) and user.unit_id is not None


def can_choose_schedule_unit(user: User | None) -> bool:
    """Staff see their own unit only; supervisors and administrators pick any unit."""
    return has_role(user, Role.SUPERVISOR, Role.ADMIN)


def can_view_booking(user: User | None, booking) -> bool:
    """One appointment (masked phone): the unit's staff, supervisors, administrators."""
    return can_choose_schedule_unit(user) or _staff_of_request_unit(user, booking)


def can_handle_booking(user: User | None, booking) -> bool:
    """Mark arrived, completed, no-show or cancelled, and assign a home visit: the staff of
    the booking's unit, and administrators."""
    return has_role(user, Role.ADMIN) or _staff_of_request_unit(user, booking)


def can_manage_services(user: User | None) -> bool:
    """Each service's booking rules, weekly hours and closures: administrators only."""
    return has_role(user, Role.ADMIN)


# ---- residents (booking/): no account; a booking opens with its reference and mobile ----

def resident_may_open_booking(*, booking_phone: str, proven: Callable[[str], bool]) -> bool:
    """A resident sees a booking only after proving its mobile number (``proven`` checks
    the number against what the resident showed: the lookup form, or a signed link)."""
    return bool(booking_phone) and proven(booking_phone)


# ---- ratings (好差评) and rectifications of bad ratings (ratings/, rectifications/) ----

def can_record_rating(user: User | None, item) -> bool:
    """An operator (or admin) records a rating the resident gave on the phone; staff never
    rate their own unit's work, and nobody records a rating of a service they gave."""
    if not has_role(user, Role.OPERATOR, Role.ADMIN):
        return False
    if user.unit_id is not None and user.unit_id == item.unit_id:
        return False
    return item.served_by_id is None or item.served_by_id != user.id


def may_rate_as_resident(user: User | None, item) -> bool:
    """The resident's own pages: refused to a signed-in member of the unit that served."""
    if user is None or not getattr(user, "is_authenticated", False):
        return True
    return not (user.unit_id is not None and user.unit_id == item.unit_id) and \
        item.served_by_id != user.id


def can_list_rectifications(user: User | None) -> bool:
    """Staff see their unit's rectifications; supervisors and admins all of them."""
    if has_role(user, Role.SUPERVISOR, Role.ADMIN):
        return True
    return has_role(user, Role.STAFF) and user.unit_id is not None


def can_view_rectification(user: User | None, rect) -> bool:
    if has_role(user, Role.SUPERVISOR, Role.ADMIN):
        return True
    return has_role(user, Role.STAFF) and user.unit_id is not None and user.unit_id == rect.unit_id


def can_work_rectification(user: User | None, rect) -> bool:
    """Call back, record what was done, close or appeal: staff of the rated unit (and admins)."""
    if has_role(user, Role.ADMIN):
        return True
    return has_role(user, Role.STAFF) and user.unit_id is not None and user.unit_id == rect.unit_id


def can_decide_appeal(user: User | None) -> bool:
    """Uphold or reject a unit's appeal against a rating: supervisors (and admins)."""
    return has_role(user, Role.SUPERVISOR, Role.ADMIN)


def can_view_satisfaction(user: User | None) -> bool:
    """The satisfaction dashboard with unit and staff names, and its exports."""
    return has_role(user, Role.SUPERVISOR, Role.ADMIN)


# ---- key projects (projects/): commercial information, never public ----

def _project_unit_ids(project) -> set[int]:
    """The owner unit and the task team's units (the team must be loaded, or passed)."""
    ids = {project.owner_unit_id} if project.owner_unit_id is not None else set()
    return ids | {member.unit_id for member in project.team}


def can_view_project(user: User | None, project) -> bool:
    """Administrators and supervisors: all; a district leader: the projects they lead;
    staff: the projects of their unit, as owner or on the task team. The public: none."""
    if has_role(user, Role.ADMIN, Role.SUPERVISOR):
        return True
    if has_role(user, Role.LEADER):
        return project.leader_user_id is not None and project.leader_user_id == user.id
    return can_edit_project(user, project)


def can_edit_project(user: User | None, project) -> bool:
    """Fields, milestones and team: administrators, and staff of the owner unit or of a
    unit on the task team."""
    if has_role(user, Role.ADMIN):
        return True
    return (has_role(user, Role.STAFF) and user.unit_id is not None
            and user.unit_id in _project_unit_ids(project))


def can_list_projects(user: User | None) -> bool:
    """The projects list (each row then filtered by can_view_project in the query)."""
    return has_role(user, *PROJECT_ROLES)


def can_view_project_totals(user: User | None) -> bool:
    """The live totals beside the reported ones: supervisors, leaders, administrators."""
    return has_role(user, Role.SUPERVISOR, Role.LEADER, Role.ADMIN)


def can_set_exchange_rates(user: User | None) -> bool:
    """The rates the totals convert with: supervisors (and administrators)."""
    return has_role(user, Role.SUPERVISOR, Role.ADMIN)


def can_answer_for_unit(user: User | None, unit_id: int | None) -> bool:
    """A difficulty or site-selection answer addressed to a unit: its staff, and admins."""
    if has_role(user, Role.ADMIN):
        return True
    return has_role(user, Role.STAFF) and user.unit_id is not None and user.unit_id == unit_id


# ---- field work on key projects (projects/fieldwork*): recording a visit or asking for joint
# site selection is editing the project (can_edit_project); answers go by unit.

def can_view_difficulty(user: User | None, difficulty, project) -> bool:
    """Whoever may see the project, and the unit the difficulty waits on."""
    return can_view_project(user, project) or can_answer_for_unit(user, difficulty.unit_id)


def can_work_opening_case(user: User | None, case) -> bool:
    """Edit the checklist of a one-stop opening case: its help desk's staff, administrators."""
    return can_answer_for_unit(user, case.unit_id)


def can_mark_opening_item(user: User | None, case, item) -> bool:
    """Mark one approval done: the help desk, or the unit that grants that approval."""
    return can_work_opening_case(user, case) or (
        item.unit_id is not None and can_answer_for_unit(user, item.unit_id))


def can_view_opening_case(user: User | None, case, project) -> bool:
    """Whoever may see the project, the help desk, and the units granting its approvals."""
    return (can_view_project(user, project) or can_work_opening_case(user, case)
            or any(i.unit_id is not None and can_answer_for_unit(user, i.unit_id)
                   for i in case.items))
