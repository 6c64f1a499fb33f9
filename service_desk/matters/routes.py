"""Thin views over the ledger: parse, call a query or service, commit once, render."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.models import Role
from ..base.calendar import today
from ..base.paging import page_arg
from ..extensions import db
from ..permissions import (
    STAFF_ROLES,
    can_export_ledger,
    can_note_matter,
    can_request_extension,
    can_supervise,
    can_update_matter,
    can_view_attachment,
    require,
    role_required,
)
from . import bp
from .attachments import attachment_check, attachment_path, attachment_save, discard
from .forms import STATUS_LABELS, ExtensionForm, MatterUpdateForm
from .labels import KIND_LABELS
from .models import Attachment, MatterStatus
from .queries import (
    detail_extras,
    filters_from_args,
    is_due_soon,
    is_overdue,
    ledger_counts,
    matter_detail,
    matter_history,
    matters_page,
    units_list,
)
from .services import MatterError, StaleEdit, changes_since, extension_request, matter_update


@bp.get("/")
@role_required(*STAFF_ROLES)
def index():
    filters = filters_from_args(request.args)
    per_page = current_app.config["PAGE_SIZE"]
    page = matters_page(filters, today=today(), page=page_arg(), per_page=per_page)
    own_unit = current_user.unit if current_user.role is Role.STAFF else None
    return render_template(
        "matters/index.html", page=page, filters=filters, counts=ledger_counts(),
        units=units_list(), statuses=STATUS_LABELS, today=today(),
        due_soon_days=current_app.config["DUE_SOON_DAYS"], is_overdue=is_overdue,
        is_due_soon=is_due_soon, own_unit=own_unit,
        mine=own_unit is not None and filters.unit == own_unit.code,
        may_export=can_export_ledger(current_user),
    )


def _detail(number: str, form: MatterUpdateForm | None = None, error: str | None = None,
            status: int = 200, changes=None, extension_form: ExtensionForm | None = None):
    matter = matter_detail(number)
    if matter is None:
        abort(404)
    co_ids = {u.id for u in matter.co_units}
    may_update = can_update_matter(current_user, matter)
    may_note = can_note_matter(current_user, matter, co_ids)
    if form is None and (may_update or may_note):
        form = MatterUpdateForm(formdata=None, status=matter.status.value, progress=matter.progress,
                                version=str(matter.version))
    may_extend = (can_request_extension(current_user, matter)
                  and matter.status is not MatterStatus.COMPLETED)
    if extension_form is None and may_extend:
        extension_form = ExtensionForm(formdata=None)
    extras = detail_extras(matter.id)
    return render_template(
        "matters/detail.html", matter=matter, history=matter_history(matter.id), form=form,
        may_update=may_update, may_note=may_note, statuses=STATUS_LABELS, error=error,
        changes=changes or [], extension_form=extension_form if may_extend else None,
        may_supervise=can_supervise(current_user), extras=extras, kinds=KIND_LABELS,
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
    saved = None
    try:
        checked = attachment_check(form.evidence.data)
        entry = matter_update(
            matter=matter, actor=current_user,
            expected_version=int(form.version.data or 0),
            status=MatterStatus(form.status.data) if may_update else None,
            progress=form.progress.data if may_update else None,
            note=form.note.data, is_public=form.is_public.data,
        )
        if checked is not None:
            saved = attachment_save(checked=checked, matter=matter, update=entry,
                                    actor=current_user)
        db.session.commit()
    except StaleEdit as exc:
        db.session.rollback()
        return _detail(number, form=_fresh_form(number, form), error=str(exc.message),
                       changes=exc.changes, status=409)
    except StaleDataError:
        db.session.rollback()
        discard(saved)
        # a save that raced ours between our check and our write
        stale = StaleEdit(matter, changes_since(matter.id, int(form.version.data or 0)))
        return _detail(number, form=_fresh_form(number, form), error=str(stale.message),
                       changes=stale.changes, status=409)
    except MatterError as exc:
        db.session.rollback()
        discard(saved)
        if exc.field and exc.field in form:
            form[exc.field].errors = list(form[exc.field].errors) + [str(exc.message)]
        return _detail(number, form=form, error=None if exc.field else str(exc.message),
                       status=422)
    flash(_("The update was saved."), "success")
    return redirect(url_for("matters.detail", number=number))


def _fresh_form(number: str, submitted: MatterUpdateForm) -> MatterUpdateForm:
    """Current values, with the user's note kept so nothing they typed is lost."""
    matter = matter_detail(number)
    return MatterUpdateForm(formdata=None, status=matter.status.value, progress=matter.progress,
                            version=str(matter.version), note=submitted.note.data,
                            is_public=submitted.is_public.data)


@bp.post("/<number>/extension")
@role_required(Role.STAFF, Role.ADMIN)
def extension(number: str):
    matter = matter_detail(number)
    if matter is None:
        abort(404)
    require(can_request_extension(current_user, matter))
    form = ExtensionForm()
    if not form.validate_on_submit():
        return _detail(number, extension_form=form, status=422)
    try:
        extension_request(matter=matter, actor=current_user,
                          requested_deadline=form.requested_deadline.data, reason=form.reason.data)
    except MatterError as exc:
        db.session.rollback()
        target = form[exc.field] if exc.field and exc.field in form else None
        if target is not None:
            target.errors = [*target.errors, str(exc.message)]
        return _detail(number, extension_form=form, status=422,
                       error=None if target is not None else str(exc.message))
    db.session.commit()
    flash(_("Your extension request was sent to the supervisors."), "success")
    return redirect(url_for("matters.detail", number=number))


@bp.get("/<number>/attachments/<int:attachment_id>")
@role_required(*STAFF_ROLES)
def attachment(number: str, attachment_id: int):
    matter = matter_detail(number)
    if matter is None:
        abort(404)
    require(can_view_attachment(current_user, matter))
    found = db.session.get(Attachment, attachment_id)
    if found is None or found.matter_id != matter.id:
        abort(404)
    response = send_file(attachment_path(found), mimetype=found.content_type,
                         download_name=found.filename,
                         as_attachment=found.content_type == "application/pdf")
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
