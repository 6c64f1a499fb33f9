"""API bearer tokens in the web UI: create one (shown once), list and revoke them.

Everyone with an account manages their own tokens; administrators also see and revoke
everyone's. A token acts as its account (role and unit), so it needs no scope of its own.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..base.paging import Page, page_arg, paginate
from ..extensions import db
from ..permissions import can_revoke_token, can_see_all_tokens
from . import bp
from .forms import TokenCreateForm, TokenRevokeForm
from .models import ApiToken
from .services import token_create, token_revoke

# every role may hold tokens, so login_required suffices for the pages

def _tokens_page() -> Page:
    """Newest first: the signed-in user's tokens, or everyone's for administrators."""
    stmt = select(ApiToken).options(joinedload(ApiToken.user))
    count = select(func.count(ApiToken.id))
    if not can_see_all_tokens(current_user):
        stmt = stmt.where(ApiToken.user_id == current_user.id)
        count = count.where(ApiToken.user_id == current_user.id)
    return paginate(stmt.order_by(ApiToken.created_at.desc(), ApiToken.id.desc()),
                    count=count, page=page_arg(), per_page=current_app.config["PAGE_SIZE"])


def _render(form: TokenCreateForm, *, new_token: str | None = None, status: int = 200):
    return render_template("accounts/tokens.html", form=form, page=_tokens_page(),
                           new_token=new_token, revoke_form=TokenRevokeForm(formdata=None),
                           all_accounts=can_see_all_tokens(current_user)), \
        status, {"Cache-Control": "no-store"}


@bp.get("/account/tokens")
@login_required
def tokens():
    return _render(TokenCreateForm(formdata=None))


@bp.post("/account/tokens")
@login_required
def token_new():
    form = TokenCreateForm()
    if not form.validate_on_submit():
        return _render(form, status=422)
    raw = token_create(user=current_user._get_current_object(), actor=current_user,
                       label=form.label.data)
    db.session.commit()
    # shown once, in this response only: never in a flash message (the session cookie)
    return _render(TokenCreateForm(formdata=None), new_token=raw)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def token_revoke_view(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or not can_revoke_token(current_user, token):
        abort(404)  # another account's token: not even its existence
    if not TokenRevokeForm().validate_on_submit():
        abort(400)
    token_revoke(token=token, actor=current_user)
    db.session.commit()
    flash(_("The token “%(label)s” was revoked: it no longer works.",
            label=token.label or token.id), "success")
    return redirect(url_for("accounts.tokens"))
