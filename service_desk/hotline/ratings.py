"""The hotline records a rating the caller gives on the phone (好差评, source: phone).

Operators and admins only, and never one of the unit that served (can_record_rating); the
rating itself, its audit record and a bad rating's rectification are ratings.services'."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import Role
from ..base.display import unit_name
from ..extensions import db
from ..permissions import can_record_rating, require, role_required
from ..ratings.forms import PhoneRatingForm
from ..ratings.labels import level_label
from ..ratings.models import RatingSource
from ..ratings.queries import RatedItem, rated_item, ratings_for
from ..ratings.services import (
    COMMENT_MAX,
    RatingError,
    is_rateable,
    rating_give,
)
from . import bp

OPERATORS = (Role.OPERATOR, Role.ADMIN)


def rating_column(items) -> dict:
    """What the console's rating column needs for a page of requests: one statement."""
    return {"ratings": ratings_for([r.id for r in items]), "rating_label": level_label,
            "rateable": is_rateable,
            "may_record": lambda r: can_record_rating(current_user, r)}


def _found(reference: str) -> RatedItem:
    found = rated_item(reference)
    if found is None:
        abort(404)
    require(can_record_rating(current_user, found.item))
    return found


def _page(found: RatedItem, form: PhoneRatingForm, *, error: str | None = None,
          status: int = 200):
    return render_template("hotline/rating.html", found=found, item=found.item,
                           rating=found.rating, form=form, error=error,
                           rateable=is_rateable(found.item), level_label=level_label,
                           unit_name=unit_name, comment_max=COMMENT_MAX), status


@bp.route("/requests/<reference>/rating", methods=["GET", "POST"])
@role_required(*OPERATORS)
def rating(reference: str):
    found = _found(reference)
    form = PhoneRatingForm()
    if not form.is_submitted():
        return _page(found, PhoneRatingForm(formdata=None))
    try:
        rating_give(request=found.item, level=form.level.data, comment=form.comment.data,
                    source=RatingSource.PHONE, recorded_by=current_user._get_current_object())
        db.session.commit()
    except RatingError as exc:
        db.session.rollback()
        found = _found(reference)
        if exc.field in ("level", "comment"):
            form[exc.field].errors = [str(exc.message)]
            return _page(found, form, status=422)
        return _page(found, form, error=str(exc.message), status=409)
    flash(_("The caller's rating of %(ref)s was recorded.", ref=reference), "success")
    return redirect(url_for("hotline.console", phone=found.item.resident_phone))
