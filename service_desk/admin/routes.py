"""Admin pages: accounts (admins) and the audit trail (admins, supervisors).

Accounts: list, create, edit, reset a password, deactivate, reactivate. Every rule is the
accounts service's; a generated password is shown in the one response that made it, never
in a flash message (that travels in the session cookie).
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from ..accounts.labels import ROLE_LABELS
from ..accounts.models import Role, User
from ..accounts.passwords import MIN_PASSWORD_LENGTH, generate_password
from ..accounts.services import (
    AccountError,
    StaleAccount,
    account_fingerprint,
    field_messages,
    parse_role,
    password_reset,
    user_create,
    user_deactivate,
    user_reactivate,
    user_update,
)
from ..audit.labels import action_label, audit_details, object_label, raw_json
from ..audit.models import AuditEvent
from ..base.forms import apply_errors
from ..base.inputs import storable_int
from ..base.paging import page_arg, paginate
from ..extensions import db
from ..matters.forms import STATUS_LABELS as MATTER_STATUS_LABELS
from ..permissions import role_required
from ..requests.labels import CHANNEL_LABELS
from ..requests.labels import STATUS_LABELS as REQUEST_STATUS_LABELS
from ..units.models import Unit
from . import bp
from .forms import AccountCreateForm, AccountEditForm, ActionForm, PasswordResetForm

NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    page = paginate(select(User).options(joinedload(User.unit)).order_by(User.username),
                    page=page_arg(), per_page=current_app.config["PAGE_SIZE"],
                    count=select(func.count(User.id)), unique=True)
    return render_template("admin/users.html", page=page)


def _account(user_id: int) -> User:
    if not storable_int(user_id):  # no account has such an id: never sent to SQL
        abort(404)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _unit_choices(form) -> None:
    units = db.session.execute(select(Unit.code, Unit.name).where(Unit.is_active.is_(True))
                               .order_by(Unit.name)).all()
    form.unit.choices = [SelectChoice("", _("No unit (required for unit staff)")),
                         *(SelectChoice(code, name) for code, name in units)]


def _new_password(form, username: str) -> tuple[str, bool]:
    """The typed password, or a generated one; True when generated (to show it once)."""
    if form.generate.data:
        return generate_password(username=username), True
    return form.password.data or "", False


def _role(value: str | None) -> Role:
    return parse_role(value or "")


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_new():
    form = AccountCreateForm(formdata=request.form if request.method == "POST" else None)
    _unit_choices(form)
    if request.method == "POST" and form.validate_on_submit():
        password, generated = _new_password(form, form.username.data or "")
        try:
            user = user_create(
                username=form.username.data, password=password, role=_role(form.role.data),
                unit_code=form.unit.data, display_name=form.display_name.data,
                email=form.email.data, mobile=form.mobile.data, actor=current_user)
            db.session.commit()
        except AccountError as exc:
            db.session.rollback()
            apply_errors(form, field_messages(exc), fallback="username")
        else:
            if generated:
                return _shown_once(user, password, created=True)
            flash(_("The account %(name)s was created.", name=user.username), "success")
            return redirect(url_for("admin.users"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=None,
                           min_length=MIN_PASSWORD_LENGTH), status, NO_STORE


def _edit_form(user: User, formdata=None) -> AccountEditForm:
    form = AccountEditForm(
        formdata=formdata, display_name=user.display_name, role=user.role.value,
        unit=user.unit.code if user.unit else "", email=user.email, mobile=user.mobile,
        fingerprint=account_fingerprint(user))
    _unit_choices(form)
    return form


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_edit(user_id: int):
    user = _account(user_id)
    form = _edit_form(user, request.form if request.method == "POST" else None)
    error, stale, status = None, [], 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                changed = user_update(
                    user=user, actor=current_user, role=_role(form.role.data),
                    unit_code=form.unit.data, display_name=form.display_name.data,
                    email=form.email.data, mobile=form.mobile.data,
                    expected=form.fingerprint.data or "")
                db.session.commit()
            except StaleAccount as exc:
                db.session.rollback()
                fresh = _edit_form(user)
                stale = _differences(fresh, form)
                form, error, status = fresh, str(exc), 409
            except AccountError as exc:
                db.session.rollback()
                apply_errors(form, field_messages(exc), fallback="role")
            else:
                flash(_("The account %(name)s was saved.", name=user.username) if changed
                      else _("Nothing was changed."), "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user, error=error,
                           stale=stale), status


def _differences(current: AccountEditForm, typed: AccountEditForm) -> list[tuple]:
    """(label, value now, value typed) of each field where the two differ, in words."""
    rows = []
    for name in ("display_name", "role", "unit", "email", "mobile"):
        now, yours = current[name], typed[name]
        if (now.data or "") != (yours.data or ""):
            rows.append((now.label.text, _choice_text(now, now.data), _choice_text(now, yours.data)))
    return rows


def _choice_text(field, value):
    """A select's value as its label (a unit's name, a role in words)."""
    for choice in getattr(field, "choices", None) or []:
        if choice.value == value:
            return choice.label
    return value


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_password(user_id: int):
    user = _account(user_id)
    if user.id == current_user.id:
        # one's own password is changed by proving the current one, even by an admin
        flash(_("Change your own password here: it asks for your current one."), "error")
        return redirect(url_for("accounts.password"))
    form = PasswordResetForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate_on_submit():
        password, generated = _new_password(form, user.username)
        try:
            password_reset(user=user, password=password, actor=current_user)
            db.session.commit()
        except AccountError as exc:
            db.session.rollback()
            apply_errors(form, field_messages(exc), fallback="password")
        else:
            if generated:
                return _shown_once(user, password, created=False)
            flash(_("The password of %(name)s was changed; their sessions were ended.",
                    name=user.username), "success")
            return redirect(url_for("admin.users"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_password.html", form=form, user=user,
                           min_length=MIN_PASSWORD_LENGTH), status, NO_STORE


def _shown_once(user: User, password: str, *, created: bool):
    return render_template("admin/password_shown.html", user=user, password=password,
                           created=created), 200, NO_STORE


@bp.post("/users/<int:user_id>/deactivate")
@role_required(Role.ADMIN)
def deactivate(user_id: int):
    user = _account(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        user_deactivate(user=user, actor=current_user)
    except AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.users"))
    db.session.commit()
    flash(_("%(name)s was deactivated and signed out everywhere.", name=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reactivate")
@role_required(Role.ADMIN)
def reactivate(user_id: int):
    user = _account(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if user_reactivate(user=user, actor=current_user):
        db.session.commit()
        flash(_("%(name)s can sign in again with their password.", name=user.username),
              "success")
    return redirect(url_for("admin.users"))


@bp.get("/audit")
@role_required(Role.ADMIN, Role.SUPERVISOR)
def audit():
    page = paginate(select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
                    page=page_arg(), per_page=current_app.config["PAGE_SIZE"],
                    count=select(func.count(AuditEvent.id)))
    values = _value_words()
    return render_template("admin/audit.html", page=page, action_label=action_label,
                           object_label=object_label, raw_json=raw_json,
                           details=lambda before, after: audit_details(before, after, values))


def _value_words() -> dict[str, dict[str, str]]:
    """Words for the codes the audit stores: roles, channels, statuses, unit codes."""
    statuses = {s.value: str(label) for s, label in [*REQUEST_STATUS_LABELS.items(),
                                                     *MATTER_STATUS_LABELS.items()]}
    return {
        "role": {role.value: str(label) for role, label in ROLE_LABELS.items()},
        "channel": {c.value: str(label) for c, label in CHANNEL_LABELS.items()},
        "status": statuses,
        "unit": {code: name for code, name in db.session.execute(select(Unit.code, Unit.name))},
    }
