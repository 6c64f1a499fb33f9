"""Admin pages: users (admins) and the audit trail (admins, supervisors)."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..accounts.models import Role, User
from ..accounts.services import user_deactivate
from ..audit.models import AuditEvent
from ..base.paging import page_arg, paginate
from ..extensions import db
from ..permissions import role_required
from . import bp


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    page = paginate(select(User).options(joinedload(User.unit)).order_by(User.username),
                    page=page_arg(), per_page=current_app.config["PAGE_SIZE"],
                    count=select(func.count(User.id)), unique=True)
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
    page = paginate(select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
                    page=page_arg(), per_page=current_app.config["PAGE_SIZE"],
                    count=select(func.count(AuditEvent.id)))
    return render_template("admin/audit.html", page=page)
