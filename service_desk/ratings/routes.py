"""Residents rate a finished service (好差评): from the link in the completion text, from
My booking, or after looking it up with the reference code and mobile number; and they rate
what the unit did about a bad rating. Thin views over ratings.services."""
from __future__ import annotations

from flask import abort, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from ..base.display import service_name, spaced_reference, spoken_reference, unit_name, when
from ..base.forms import LookupForm, lookup_checked
from ..base.limits import lookup_budget_on_post
from ..base.links import LinkError, phone_matches, rating_reference, rating_token
from ..extensions import db
from ..permissions import may_rate_as_resident
from ..requests.references import find_booking
from . import bp
from .forms import FixRatingForm, RatingForm
from .labels import level_label
from .models import RatingSource, RectificationStatus
from .queries import RatedItem, rated_item
from .services import (
    COMMENT_MAX,
    RatingError,
    fix_rate,
    is_rateable,
    rating_give,
    rectification_days,
)

VIA_BOOKING = "booking"
FIX_RATEABLE = (RectificationStatus.FIXED, RectificationStatus.EXPLAINED)


@bp.context_processor
def rating_helpers() -> dict:
    return {"service_name": service_name, "unit_name": unit_name, "when": when,
            "level_label": level_label, "spaced_reference": spaced_reference,
            "spoken_reference": spoken_reference, "comment_max": COMMENT_MAX,
            "rectification_days": rectification_days, "statuses": RectificationStatus}


# --- opening the page from a signed link ---------------------------------------------------

def _link_problem(*, expired: bool):
    """A bad or old link: say so plainly and offer the look-up; never show the service."""
    return make_response(render_template("ratings/link_problem.html", expired=expired), 404)


def _opened(token: str) -> RatedItem:
    try:
        reference, digest = rating_reference(token)
    except LinkError as exc:
        abort(_link_problem(expired=exc.expired))
    found = rated_item(reference)
    if found is None or not phone_matches(digest, found.item.resident_phone):
        abort(_link_problem(expired=False))
    if not may_rate_as_resident(current_user, found.item):
        abort(make_response(render_template("ratings/refused.html"), 403))
    return found


def _page(token: str, found: RatedItem, *, form: RatingForm | None = None,
          fix_form: FixRatingForm | None = None, error: str | None = None,
          thanks: str | None = None, status: int = 200):
    """The one rating page: the form, or what was given and what became of it."""
    if found.rating is None and is_rateable(found.item):
        state = "form"
        form = form or RatingForm(formdata=None)
    elif found.rating is None:
        state = "not_finished"
    else:
        state = "rated"
    rect = found.rect
    can_rate_fix = (rect is not None and rect.status in FIX_RATEABLE and rect.fix_level is None)
    if can_rate_fix and fix_form is None:
        fix_form = FixRatingForm(formdata=None)
    return render_template("ratings/rate.html", token=token, found=found, item=found.item,
                           rating=found.rating, rect=rect, state=state, form=form,
                           fix_form=fix_form if can_rate_fix else None, error=error,
                           thanks=thanks), status


@bp.route("/<token>", methods=["GET", "POST"])
def rate(token: str):
    found = _opened(token)
    if request.method == "GET":
        via = VIA_BOOKING if request.args.get("via") == VIA_BOOKING else ""
        return _page(token, found, form=RatingForm(formdata=None, via=via))
    form = RatingForm()
    source = RatingSource.BOOKING_PAGE if form.via.data == VIA_BOOKING else RatingSource.LINK
    try:
        rating_give(request=found.item, level=form.level.data, comment=form.comment.data,
                    source=source)
        db.session.commit()
    except RatingError as exc:
        db.session.rollback()
        found = _opened(token)
        if exc.field in ("level", "comment"):
            form[exc.field].errors = [str(exc.message)]
            return _page(token, found, form=form, status=422)
        return _page(token, found, error=str(exc.message), status=409)
    return redirect(url_for(".thanks", token=token))


@bp.get("/<token>/thanks")
def thanks(token: str):
    found = _opened(token)
    if found.rating is None:
        return redirect(url_for(".rate", token=token))
    what = "fix" if request.args.get("fix") and found.rect and found.rect.fix_level else "rating"
    return _page(token, found, thanks=what)


@bp.post("/<token>/fix")
def rate_fix(token: str):
    """The resident rates what the unit did about their bad rating: once, after it closed."""
    found = _opened(token)
    form = FixRatingForm()
    if found.rect is None:
        return _page(token, found, status=409, error=_(
            "There is nothing to rate here: only a rating of dissatisfied or very dissatisfied "
            "is followed up by the unit."))
    try:
        fix_rate(rect=found.rect, level=form.level.data, comment=form.comment.data)
        db.session.commit()
    except RatingError as exc:
        db.session.rollback()
        found = _opened(token)
        if exc.field in ("level", "comment"):
            form[exc.field].errors = [str(exc.message)]
            return _page(token, found, fix_form=form, status=422)
        return _page(token, found, error=str(exc.message), status=409)
    except StaleDataError:
        db.session.rollback()
        return _page(token, _opened(token), status=409, error=_(
            "The unit changed this at the same time. Here it is as it is now."))
    return redirect(url_for(".thanks", token=token, fix=1))


# --- the look-up: reference code and mobile number, when the link is lost or too old ---------

@bp.route("/", methods=["GET", "POST"])
@lookup_budget_on_post
def lookup():
    """The same answer for an unknown reference and a wrong mobile number."""
    form = LookupForm()
    if request.method == "GET":
        return render_template("ratings/lookup.html", form=form, not_found=False)
    checked = lookup_checked(form)
    if checked is None:
        return render_template("ratings/lookup.html", form=form, not_found=False), 422
    reference, phone = checked
    item = find_booking(reference=reference, phone=phone)
    if item is None:
        return render_template("ratings/lookup.html", form=form, not_found=True), 404
    return redirect(url_for(".rate", token=rating_token(item.reference, phone), via=VIA_BOOKING))
