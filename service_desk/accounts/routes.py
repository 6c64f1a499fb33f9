"""Login, logout and changing one's own password."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..base.forms import apply_errors
from ..base.limits import login_failure_limit, login_limit
from ..base.links import safe_next
from ..extensions import db, limiter
from . import bp
from .forms import LoginForm, PasswordChangeForm
from .landing import after_sign_in
from .passwords import MIN_PASSWORD_LENGTH
from .services import AccountError, authenticate, end_sessions, field_messages, password_change


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
# failed sign-ins per client: slowed down long before LOGIN_MAX_FAILURES could lock an account
@limiter.limit(login_failure_limit, methods=["POST"],
               deduct_when=lambda response: response.status_code == 422)
def login():
    requested = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(after_sign_in(current_user, requested, safe_next(requested)))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        result = authenticate(username=form.username.data, password=form.password.data)
        db.session.commit()
        if result.user is not None:
            session.clear()  # a fresh session: nothing from before login carries over
            login_user(result.user)
            # each role lands on its own work unless a safe `next` asked for a page; no
            # "signed in" banner: the page of one's work says it, and its task stays on top
            return redirect(after_sign_in(result.user, requested, safe_next(requested)))
        # one answer for a wrong password, an unknown name and a locked account: the page
        # must not tell which accounts exist or are locked
        error = _("The username or password is wrong, or this account is locked for a while "
                  "after too many failed attempts. Please try again later.")
    status = 200 if error is None and not form.errors else 422 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    end_sessions(user=current_user, actor=current_user, reason="logout")
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "success")
    return redirect(url_for("main.home"))


def _refused_current_password(response) -> bool:
    """Only a wrong current password draws on the failed-sign-in budget, not a new password
    the rule refused: guessing the current one through a stolen session is what is slowed."""
    return bool(g.get("current_password_refused"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_failure_limit, methods=["POST"], deduct_when=_refused_current_password)
def password():
    """Every signed-in user changes their own password; their other sessions end."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            password_change(user=user, current=form.current.data, new=form.password.data)
        except AccountError as exc:
            if "current" in exc.errors:
                g.current_password_refused = True
                db.session.commit()  # the refusal is audited
            else:
                db.session.rollback()
            apply_errors(form, field_messages(exc), fallback="password")
        else:
            db.session.commit()
            login_user(user)  # the new session version: this session stays signed in
            flash(_("Your password was changed. You stay signed in here; every other "
                    "session was signed out."), "success")
            return redirect(url_for("main.home"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/password.html", form=form,
                           min_length=MIN_PASSWORD_LENGTH), status
