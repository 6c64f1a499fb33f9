"""The ledger in Excel, both ways: export (.xlsx, .csv) and import (check, then apply).

Thin views: the file is read in reader.py, the rules are in services.py, the rows for the
export come from queries.py. The pending upload lives under instance/imports/, not in the
session, so the app stays stateless.
"""
from __future__ import annotations

import json
from urllib.parse import quote

from flask import (
    Response,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..base.calendar import today
from ..extensions import db
from ..matters.forms import STATUS_LABELS
from ..matters.queries import filters_from_args
from ..permissions import STAFF_ROLES, can_export_ledger, can_import_ledger, require, role_required
from . import bp
from .export import csv_chunks, write_xlsx
from .forms import LedgerApplyForm, LedgerUploadForm
from .layout import COLUMNS, HEADER_OF
from .queries import export_count, export_rows
from .reader import (
    MAX_UPLOAD_BYTES,
    LedgerFileError,
    ParsedLedger,
    extension_of,
    read_ledger,
    too_large_message,
)
from .services import ImportRejected, ImportStale, import_apply, import_plan
from .uploads import discard_pending, load_pending, store_pending

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(filename: str, fallback: str) -> str:
    """Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def _filters():
    return filters_from_args(request.args)


@bp.get("/export.xlsx")
@role_required(*STAFF_ROLES)
def export_xlsx():
    """The list as the offices' workbook, with the same filters as the list page."""
    require(can_export_ledger(current_user))
    filters = _filters()
    out = write_xlsx(export_rows(filters, today=today()), export_count(filters, today=today()))
    response = send_file(out, mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=f"ledger-{today().isoformat()}.xlsx", etag=False)
    response.headers["Content-Disposition"] = _attachment(
        f"工作台账-{today().isoformat()}.xlsx", f"ledger-{today().isoformat()}.xlsx")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/export.csv")
@role_required(*STAFF_ROLES)
def export_csv():
    """The same rows as CSV, streamed as they are read."""
    require(can_export_ledger(current_user))
    response = Response(stream_with_context(csv_chunks(export_rows(_filters(), today=today()))),
                        content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = _attachment(
        f"工作台账-{today().isoformat()}.csv", f"ledger-{today().isoformat()}.csv")
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(*, form: LedgerUploadForm | None = None, status: int = 200, **context):
    letters: dict[str, str] = {}
    parsed: ParsedLedger | None = context.pop("parsed", None)
    if parsed is not None:
        letters = {HEADER_OF[key]: letter for key, letter in parsed.columns.items()}
    return render_template(
        "ledger/import.html", form=form or LedgerUploadForm(formdata=None), columns=COLUMNS,
        letters=letters, max_mb=MAX_UPLOAD_BYTES // (1024 * 1024),
        matter_status_labels=STATUS_LABELS, **context,
    ), status


def _checked_versions(raw: str | None) -> dict[str, int] | None:
    """The versions of the check page's hidden field; None when unreadable (a forged or
    truncated form): then nothing is applied."""
    try:
        value = json.loads(raw or "")
    except ValueError:
        return None
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and type(v) is int for k, v in value.items()):
        return None
    return value


def _check(data: bytes, filename: str, *, form: LedgerUploadForm | None = None,
           stored: tuple[str, str] | None = None, status: int = 200, **context):
    """The dry run: read the file, plan the import, show every problem or the summary."""
    try:
        parsed = read_ledger(data, filename)
    except LedgerFileError as exc:
        return _page(form=form, file_error=exc.message, filename=filename, status=exc.status)
    plan = import_plan(parsed.rows)
    if plan.errors:
        return _page(form=form, plan=plan, parsed=parsed, filename=filename, status=422)
    apply_form = None
    if plan.changes:
        stored = stored or store_pending(data, extension_of(filename) or "")
        apply_form = LedgerApplyForm(formdata=None, stored=stored[0], sha256=stored[1],
                                     filename=filename[:255],
                                     checked=json.dumps(plan.versions, separators=(",", ":")))
    return _page(form=form, plan=plan, parsed=parsed, filename=filename, apply_form=apply_form,
                 status=status, **context)


@bp.get("/import")
@role_required(*STAFF_ROLES)
def import_form():
    require(can_import_ledger(current_user))
    return _page()


@bp.post("/import")
@role_required(*STAFF_ROLES)
def import_check():
    """Check an uploaded file; nothing is stored but the file itself, for the apply step."""
    require(can_import_ledger(current_user))
    form = LedgerUploadForm()
    if not form.validate_on_submit():
        return _page(form=form, status=422)
    upload = form.file.data
    filename = (upload.filename or "")[:255]
    data = upload.stream.read(MAX_UPLOAD_BYTES + 1)  # never more than the limit in memory
    return _check(data, filename, form=form)


@bp.post("/import/apply")
@role_required(*STAFF_ROLES)
def import_apply_view():
    """Re-read and re-check the stored file, then apply all of it in one transaction."""
    require(can_import_ledger(current_user))
    form = LedgerApplyForm()
    data = load_pending(form.stored.data, form.sha256.data) if form.validate_on_submit() else None
    checked = _checked_versions(form.checked.data)
    if data is None or checked is None:
        flash(_("That checked file is no longer available. Check the file again."), "error")
        return redirect(url_for("ledger.import_form"))
    stored = (form.stored.data, form.sha256.data)
    filename = form.filename.data or form.stored.data
    if extension_of(filename) != extension_of(form.stored.data):
        filename = form.stored.data
    try:
        parsed = read_ledger(data, form.stored.data)
        result = import_apply(rows=parsed.rows, actor=current_user, source=filename,
                              checked=checked)
        db.session.commit()
    except ImportStale as exc:
        db.session.rollback()
        # show what changed, and the check against the current ledger to apply instead
        return _check(data, filename, stored=stored, status=409, stale=exc.changed)
    except (LedgerFileError, ImportRejected):
        db.session.rollback()
        discard_pending(form.stored.data)
        return _check(data, filename)  # shows what is wrong now; stores nothing
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        flash(_("Someone changed the ledger while this import ran, so nothing was imported. "
                "Here is the check against the current ledger."), "error")
        return _check(data, filename, stored=stored)
    discard_pending(form.stored.data)
    flash(_("Imported %(file)s: %(created)d created, %(updated)d updated, %(unchanged)d "
            "unchanged.", file=filename, created=result.created, updated=result.updated,
            unchanged=result.unchanged), "success")
    return redirect(url_for("ledger.import_form"))


@bp.errorhandler(413)
def upload_too_large(exc):
    """A body over the app's MAX_CONTENT_LENGTH never reaches the view: say so in words."""
    if not can_import_ledger(current_user):
        return render_template("errors/generic.html", status=413, name=exc.name), 413
    return _page(file_error=too_large_message(), status=413)


__all__ = ["bp"]
