"""API endpoints: units and the ledger (read-only here; staff writes come with the ledger issue)."""
from __future__ import annotations

from flask import abort, current_app, g, jsonify, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..i18n import today
from ..matters.models import MatterStatus
from ..matters.queries import MatterFilters, matter_detail, matters_page
from ..permissions import STAFF_ROLES, can_view_matter, has_role
from ..units.models import Unit
from . import bp
from .auth import api_user
from .serialize import matter_json, unit_json
from ..errors import api_error

MAX_PER_PAGE = 200


@bp.get("/units")
def units():
    rows = db.session.scalars(select(Unit).options(joinedload(Unit.parent)).order_by(Unit.id))
    out = [unit_json(unit) for unit in rows]
    return jsonify(items=out, total=len(out))


def _int_arg(name: str, default: int, lo: int, hi: int) -> int | tuple:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not lo <= value <= hi:
        return api_error(422, "invalid_parameter", f"{name} must be an integer from {lo} to {hi}",
                         {name: f"must be an integer from {lo} to {hi}"})
    return value


@bp.get("/matters")
def matters():
    page = _int_arg("page", 1, 1, 10**6)
    if isinstance(page, tuple):
        return page
    per_page = _int_arg("per_page", current_app.config["PAGE_SIZE"], 1, MAX_PER_PAGE)
    if isinstance(per_page, tuple):
        return per_page
    status = request.args.get("status")
    if status:
        try:
            status = MatterStatus(status)
        except ValueError:
            return api_error(422, "invalid_parameter", "unknown status",
                             {"status": "one of " + ", ".join(s.value for s in MatterStatus)})
    overdue_raw = request.args.get("overdue")
    overdue = None
    if overdue_raw is not None:
        if overdue_raw not in ("true", "false", "1", "0"):
            return api_error(422, "invalid_parameter", "overdue must be true or false",
                             {"overdue": "true or false"})
        overdue = overdue_raw in ("true", "1")
    key_issue = _int_arg("key_issue", None, 1, 1000) if "key_issue" in request.args else None
    if isinstance(key_issue, tuple):
        return key_issue
    filters = MatterFilters(
        q=request.args.get("q") or None, unit=request.args.get("unit") or None,
        key_issue=key_issue, status=status or None, overdue=overdue,
        public_only=not has_role(api_user(), *STAFF_ROLES),
    )
    result = matters_page(filters, today=today(), page=page, per_page=per_page)
    args = {k: v for k, v in request.args.items() if k != "page"}
    links = {}
    if result.has_next:
        links["next"] = url_for("api.matters", page=page + 1, **args)
    if result.has_prev:
        links["prev"] = url_for("api.matters", page=page - 1, **args)
    return jsonify(items=[matter_json(m) for m in result.items], total=result.total,
                   page=result.page, per_page=result.per_page, pages=result.pages, links=links)


@bp.get("/matters/<number>")
def matter(number: str):
    item = matter_detail(number)
    if item is None or not can_view_matter(api_user(), item):
        abort(404)
    return jsonify(matter_json(item))


@bp.patch("/matters/<number>")
def matter_patch(number: str):
    """Staff record progress: {"status", "progress", "note", "version", "is_public"}.

    ``version`` (or an If-Match header) is the version the client last read; a stale one
    answers 409 with the current item, never a silent overwrite.
    """
    from sqlalchemy.orm.exc import StaleDataError

    from ..matters.services import MatterError, StaleEdit, matter_update
    from ..permissions import can_note_matter, can_update_matter

    user = g.get("api_user")
    if user is None:
        return api_error(401, "unauthorized", "a valid bearer token is required")
    item = matter_detail(number)
    if item is None or not can_view_matter(user, item):
        abort(404)
    may_update = can_update_matter(user, item)
    if not (may_update or can_note_matter(user, item, {u.id for u in item.co_units})):
        return api_error(403, "forbidden", "this item belongs to another unit")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return api_error(422, "invalid_body", "send a JSON object")
    fields: dict[str, str] = {}
    version = body.get("version", request.headers.get("If-Match", "").strip('"') or None)
    try:
        version = int(version)
    except (TypeError, ValueError):
        fields["version"] = "the version you last read is required (integer)"
    status = body.get("status")
    if status is not None:
        try:
            status = MatterStatus(status)
        except ValueError:
            fields["status"] = "one of " + ", ".join(s.value for s in MatterStatus)
    progress = body.get("progress")
    if progress is not None and (not isinstance(progress, int) or isinstance(progress, bool)):
        fields["progress"] = "an integer from 0 to 100"
    if not may_update and (status is not None or progress is not None):
        return api_error(403, "forbidden", "a co-unit may add notes but not change status or progress")
    if fields:
        return api_error(422, "invalid_fields", "some fields are invalid", fields)
    try:
        matter_update(matter=item, actor=user, expected_version=version, status=status,
                      progress=progress, note=body.get("note") or "",
                      is_public=bool(body.get("is_public", False)))
        db.session.commit()
    except (StaleEdit, StaleDataError):
        db.session.rollback()
        current = matter_detail(number)
        payload = {"error": {"code": "conflict", "message": "the item changed since you read it",
                             "fields": {}},
                   "current": matter_json(current)}
        return jsonify(payload), 409
    except MatterError as exc:
        db.session.rollback()
        return api_error(422, "invalid_fields", str(exc.message),
                         {exc.field: str(exc.message)} if exc.field else {})
    return jsonify(matter_json(matter_detail(number)))
