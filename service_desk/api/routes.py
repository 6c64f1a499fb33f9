"""API endpoints: units, key issues and the practical-matters ledger (staff write progress)."""
from __future__ import annotations

from flask import current_app, jsonify, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from ..base.calendar import today
from ..base.limits import read_limit
from ..extensions import db, limiter
from ..matters.models import KeyIssue, Matter, MatterStatus
from ..matters.queries import MatterFilters, matter_detail, matters_page
from ..matters.services import MatterError, StaleEdit, matter_update
from ..permissions import (
    STAFF_ROLES,
    can_note_matter,
    can_see_names,
    can_update_matter,
    can_view_matter,
    has_role,
)
from ..units.models import Unit
from . import bp
from .auth import api_user, bearer_user
from .body import ApiProblem, Field, invalid, json_body
from .conditional import expected_version, stale, with_etag
from .serialize import key_issue_json, matter_json, unit_json

MAX_PER_PAGE = 200
MAX_PAGE = 10**6
MAX_KEY_ISSUE = 1000  # the article names 24 key issues: a bound, not a guess
STATUSES = ", ".join(s.value for s in MatterStatus)


@bp.get("/units")
@limiter.limit(read_limit)
def units():
    rows = db.session.scalars(select(Unit).options(joinedload(Unit.parent)).order_by(Unit.id))
    out = [unit_json(unit) for unit in rows]
    return jsonify(items=out, total=len(out))


@bp.get("/key-issues")
@limiter.limit(read_limit)
def key_issues():
    """The key issues of the imported ledger, each with how many items (visible to the
    caller, synthetic ones left out) are filed under it."""
    counted = select(Matter.key_issue_id, func.count(Matter.id).label("n")) \
        .where(Matter.is_synthetic.is_(False)).group_by(Matter.key_issue_id)
    if not has_role(api_user(), *STAFF_ROLES):
        counted = counted.where(Matter.is_public.is_(True))
    counted = counted.subquery()
    rows = db.session.execute(
        select(KeyIssue, func.coalesce(counted.c.n, 0))
        .outerjoin(counted, counted.c.key_issue_id == KeyIssue.id).order_by(KeyIssue.number))
    out = [key_issue_json(issue, matters=n) for issue, n in rows]
    return jsonify(items=out, total=len(out))


def int_arg(name: str, default, lo: int, hi: int):
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not lo <= value <= hi:
        raise ApiProblem(422, "invalid_parameter", f"{name} must be an integer from {lo} to {hi}",
                         {name: f"must be an integer from {lo} to {hi}"})
    return value


def page_args() -> tuple[int, int]:
    return (int_arg("page", 1, 1, MAX_PAGE),
            int_arg("per_page", current_app.config["PAGE_SIZE"], 1, MAX_PER_PAGE))


def page_links(endpoint: str, result, **view_args) -> dict:
    args = {k: v for k, v in request.args.items() if k != "page"}
    links = {}
    if result.has_next:
        links["next"] = url_for(endpoint, page=result.page + 1, **view_args, **args)
    if result.has_prev:
        links["prev"] = url_for(endpoint, page=result.page - 1, **view_args, **args)
    return links


@bp.get("/matters")
@limiter.limit(read_limit)
def matters():
    page, per_page = page_args()
    status = request.args.get("status")
    if status:
        try:
            status = MatterStatus(status)
        except ValueError:
            raise ApiProblem(422, "invalid_parameter", "unknown status",
                             {"status": "one of " + STATUSES}) from None
    overdue_raw = request.args.get("overdue")
    overdue = None
    if overdue_raw is not None:
        if overdue_raw not in ("true", "false", "1", "0"):
            raise ApiProblem(422, "invalid_parameter", "overdue must be true or false",
                             {"overdue": "true or false"})
        overdue = overdue_raw in ("true", "1")
    demo_raw = request.args.get("demo")
    if demo_raw is not None and demo_raw not in ("true", "false", "1", "0"):
        raise ApiProblem(422, "invalid_parameter", "demo must be true or false",
                         {"demo": "true or false"})
    key_issue = int_arg("key_issue", None, 1, MAX_KEY_ISSUE)
    user = api_user()
    filters = MatterFilters(
        q=request.args.get("q") or None, unit=request.args.get("unit") or None,
        key_issue=key_issue, status=status or None, overdue=overdue,
        public_only=not has_role(user, *STAFF_ROLES),
        # synthetic (demo, load-test) items: staff only, when asked for with demo=true
        include_demo=demo_raw in ("1", "true"),
    )
    result = matters_page(filters, today=today(), page=page, per_page=per_page)
    names = can_see_names(user)
    return jsonify(items=[matter_json(m, names=names) for m in result.items],
                   total=result.total,
                   page=result.page, per_page=result.per_page, pages=result.pages,
                   links=page_links("api.matters", result))


def _visible_matter(number: str, user) -> Matter:
    item = matter_detail(number)
    if item is None or not can_view_matter(user, item):
        raise ApiProblem(404, "not_found", "no such item")
    return item


@bp.get("/matters/<number>")
@limiter.limit(read_limit)
def matter(number: str):
    user = api_user()
    item = _visible_matter(number, user)
    return with_etag(jsonify(matter_json(item, names=can_see_names(user))), item.version)


VERSION = Field(int, doc={"description": "the version you read (when not sent as If-Match)"})
PATCH_FIELDS = {
    "status": Field(str, doc={"enum": [s.value for s in MatterStatus]}),
    "progress": Field(int, doc={"minimum": 0, "maximum": 100}),
    "note": Field(str, required=True, doc={"description": "what was done (required)"}),
    "version": VERSION,
    "is_public": Field(bool, doc={"description": "show the note on the public board"}),
}


@bp.patch("/matters/<number>")
def matter_patch(number: str):
    """Staff record progress: {"status", "progress", "note", "is_public"}, based on the version
    named by If-Match (412 when stale) or ``version`` in the body (409 when stale)."""
    user = bearer_user()
    item = _visible_matter(number, user)
    may_update = can_update_matter(user, item)
    if not (may_update or can_note_matter(user, item, {u.id for u in item.co_units})):
        raise ApiProblem(403, "forbidden", "this item belongs to another unit")
    body = json_body(PATCH_FIELDS)
    fields: dict[str, str] = {}
    status = body.get("status")
    if status is not None:
        try:
            status = MatterStatus(status)
        except ValueError:
            fields["status"] = "one of " + STATUSES
    progress = body.get("progress")
    if not may_update and (status is not None or progress is not None):
        raise ApiProblem(403, "forbidden", "a co-unit may add notes but not change status or progress")
    if fields:
        raise invalid(fields)
    version, by_header = expected_version(current_version=item.version,
                                          body_version=body.get("version"),
                                          current=lambda: matter_json(item, names=True))
    try:
        matter_update(matter=item, actor=user, expected_version=version, status=status,
                      progress=progress, note=body["note"],
                      is_public=bool(body.get("is_public", False)))
        db.session.commit()
    except (StaleEdit, StaleDataError):
        db.session.rollback()
        current = matter_detail(number)
        raise stale(matter_json(current, names=True), current.version, by_header=by_header) from None
    except MatterError as exc:
        db.session.rollback()
        raise invalid({exc.field: exc.message} if exc.field else {}, str(exc.message)) from None
    item = matter_detail(number)
    return with_etag(jsonify(matter_json(item, names=True)), item.version)
