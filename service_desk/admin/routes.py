"""Admin pages: users (admins) and the audit trail (admins, supervisors)."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..accounts.models import Role, User
from ..accounts.services import user_deactivate
from ..audit.models import AuditEvent
from ..extensions import db
from ..matters.queries import Page
from ..permissions import role_required
from . import bp


def _page(stmt, count_stmt, per_page: int) -> Page:
    page = max(1, request.args.get("page", 1, type=int) or 1)
    total = db.session.scalar(count_stmt) or 0
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique())
    return Page(items=items, total=total, page=page, per_page=per_page)


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    page = _page(select(User).options(joinedload(User.unit)).order_by(User.username),
                 select(func.count(User.id)), current_app.config["PAGE_SIZE"])
    return render_template("admin/users.html", page=page)


@bp.post("/users/<int:user_id>/deactivate")
@role_required(Role.ADMIN)
def deactivate(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
        return redirect(url_for("admin.users"))
    user_deactivate(user=user, actor=current_user)
    db.session.commit()
    flash(_("%(name)s was deactivated and signed out everywhere.", name=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.get("/audit")
@role_required(Role.ADMIN, Role.SUPERVISOR)
def audit():
    page = _page(select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
                 select(func.count(AuditEvent.id)), current_app.config["PAGE_SIZE"])
    return render_template("admin/audit.html", page=page)
