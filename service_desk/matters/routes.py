"""Thin views over the ledger: parse, call a query or service, commit once, render."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..i18n import today
from ..permissions import STAFF_ROLES, can_note_matter, can_update_matter, require, role_required
from . import bp
from .forms import STATUS_LABELS, MatterUpdateForm
from .models import MatterStatus
from .queries import (MatterFilters, is_due_soon, is_overdue, ledger_counts, matter_detail,
                      matter_history, matters_page, units_list)
from .services import MatterError, StaleEdit, matter_update


def filters_from_args(args, *, public_only: bool = False) -> MatterFilters:
    """Unknown filter values are ignored rather than failing the page."""
    status = None
    if args.get("status"):
        try:
            status = MatterStatus(args["status"])
        except ValueError:
            status = None
    overdue = {"1": True, "true": True, "0": False, "false": False}.get(args.get("overdue", ""))
    key_issue = args.get("key_issue", type=int)
    return MatterFilters(q=args.get("q") or None, unit=args.get("unit") or None,
                         key_issue=key_issue, status=status, overdue=overdue,
                         public_only=public_only)


def page_arg() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


@bp.get("/")
@role_required(*STAFF_ROLES)
def index():
    filters = filters_from_args(request.args)
    per_page = current_app.config["PAGE_SIZE"]
    page = matters_page(filters, today=today(), page=page_arg(), per_page=per_page)
    return render_template(
        "matters/index.html", page=page, filters=filters, counts=ledger_counts(),
        units=units_list(), statuses=STATUS_LABELS, today=today(),
        due_soon_days=current_app.config["DUE_SOON_DAYS"], is_overdue=is_overdue,
        is_due_soon=is_due_soon,
    )


def _detail(number: str, form: MatterUpdateForm | None = None, error: str | None = None,
            status: int = 200):
    matter = matter_detail(number)
    if matter is None:
        abort(404)
    co_ids = {u.id for u in matter.co_units}
    may_update = can_update_matter(current_user, matter)
    may_note = can_note_matter(current_user, matter, co_ids)
    if form is None and (may_update or may_note):
        form = MatterUpdateForm(status=matter.status.value, progress=matter.progress,
                                version=str(matter.version))
    return render_template(
        "matters/detail.html", matter=matter, history=matter_history(matter.id), form=form,
        may_update=may_update, may_note=may_note, statuses=STATUS_LABELS, error=error,
        overdue=is_overdue(matter, today()),
        due_soon=is_due_soon(matter, today(), current_app.config["DUE_SOON_DAYS"]),
    ), status


@bp.get("/<number>")
@role_required(*STAFF_ROLES)
def detail(number: str):
    return _detail(number)


@bp.post("/<number>/updates")
@role_required(*STAFF_ROLES)
def update(number: str):
    matter = matter_detail(number)
    if matter is None:
        abort(404)
    co_ids = {u.id for u in matter.co_units}
    may_update = can_update_matter(current_user, matter)
    require(may_update or can_note_matter(current_user, matter, co_ids))
    form = MatterUpdateForm()
    if not may_update:
        # co-units add notes only: status and progress are not theirs to change
        form.status.data, form.progress.data = matter.status.value, matter.progress
        form.status.validators = form.progress.validators = []
    if not form.validate_on_submit():
        return _detail(number, form=form, status=422)
    try:
        matter_update(
            matter=matter, actor=current_user,
            expected_version=int(form.version.data or 0),
            status=MatterStatus(form.status.data) if may_update else None,
            progress=form.progress.data if may_update else None,
            note=form.note.data, is_public=form.is_public.data,
        )
        db.session.commit()
    except StaleEdit as exc:
        db.session.rollback()
        return _detail(number, form=_fresh_form(number, form), error=str(exc.message), status=409)
    except StaleDataError:
        db.session.rollback()
        return _detail(number, form=_fresh_form(number, form),
                       error=_("Someone else updated this item while you were editing. "
                               "Your changes were not saved; the current values are shown below."),
                       status=409)
    except MatterError as exc:
        db.session.rollback()
        if exc.field and exc.field in form:
            form[exc.field].errors = list(form[exc.field].errors) + [str(exc.message)]
        return _detail(number, form=form, error=None if exc.field else str(exc.message),
                       status=422)
    flash(_("The update was saved."), "success")
    return redirect(url_for("matters.detail", number=number))


def _fresh_form(number: str, submitted: MatterUpdateForm) -> MatterUpdateForm:
    """Current values, with the user's note kept so nothing they typed is lost."""
    matter = matter_detail(number)
    form = MatterUpdateForm(formdata=None, status=matter.status.value, progress=matter.progress,
                            version=str(matter.version), note=submitted.note.data,
                            is_public=submitted.is_public.data)
    return form
