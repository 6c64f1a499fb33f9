"""API endpoints of the key-projects ledger (issue 14): list and read with a staff token,
each project only for who may view it; PATCH for the responsible unit with If-Match.

Project details are commercial information: without a token (or signed-in session) every
call answers 401, and a project the caller may not view answers 404 as if it did not exist.
Milestones are written as on the bureau's sheet, one per kind: ``signing_planned``,
``signing_actual``, …, a date at its precision ("2021-06-30", "2021-06" or "2021-Q2").
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from flask import jsonify, request
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..base.calendar import today
from ..base.limits import read_limit
from ..base.paging import paginate
from ..extensions import db, limiter
from ..permissions import can_edit_project, can_list_projects, can_view_project
from ..projects.dates import milestone_is_overdue
from ..projects.models import (
    CATEGORIES,
    ORIGINS,
    DatePrecision,
    KeyProject,
    MilestoneKind,
    ProjectMilestone,
    ProjectStage,
    TaskTeamMember,
)
from ..projects.queries import project_by_code, visible_projects
from ..projects.services import (
    ProjectError,
    StaleProject,
    milestone_remove,
    milestone_set,
    project_update,
)
from ..projects.sheet import first_milestones
from ..units.models import Unit
from . import bp
from .auth import api_user, bearer_user
from .body import ApiProblem, Field, invalid, json_body
from .conditional import expected_version, stale, with_etag
from .routes import page_args, page_links

STAGES = [s.value for s in ProjectStage]
KINDS = [k.value for k in MilestoneKind]
PRECISIONS = [p.value for p in DatePrecision]
MONEY = r"^\d{1,16}(\.\d{1,2})?$"
CURRENCY = r"^[A-Z]{3}$"
# a day, a month or a quarter: 2021-06-30, 2021-06, 2021-Q2
DATE_AT_PRECISION = r"^\d{4}-((0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?|Q[1-4])$"
_PATTERNS = {"money": re.compile(MONEY), "currency": re.compile(CURRENCY),
             "date": re.compile(DATE_AT_PRECISION)}


def _money(amount: Decimal | None) -> str | None:
    return f"{amount:.2f}" if amount is not None else None


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def milestone_json(milestone: ProjectMilestone, now: dt.date) -> dict:
    return {
        "kind": milestone.kind.value,
        "planned_on": _iso(milestone.planned_on),
        "planned_precision": milestone.precision.value,
        "actual_on": _iso(milestone.actual_on),
        "actual_precision": milestone.actual_precision.value
        if milestone.actual_precision else None,
        "done": milestone.done, "overdue": milestone_is_overdue(milestone, now),
        "amount": _money(milestone.amount), "currency": milestone.currency,
        "note": milestone.note, "source_quote": milestone.source_quote,
    }


def project_json(project: KeyProject, now: dt.date) -> dict:
    """A project with its unit, leader, team and milestones (all loaded)."""
    milestones = sorted(project.milestones, key=lambda m: (
        m.planned_on or m.actual_on or dt.date.max, KINDS.index(m.kind.value), m.id or 0))
    return {
        "code": project.code, "name": project.name, "name_en": project.name_en,
        "record_kind": project.record_kind.value, "investor": project.investor,
        "origin": project.origin, "category": project.category,
        "stage": project.stage.value if project.stage else None,
        "total_investment": _money(project.total_investment),
        "total_investment_currency": project.total_investment_currency,
        "investment_approximate": project.investment_approximate,
        "registered_capital": _money(project.registered_capital),
        "registered_capital_currency": project.registered_capital_currency,
        "expected_sales": _money(project.expected_sales),
        "expected_sales_currency": project.expected_sales_currency,
        "expected_sales_approximate": project.expected_sales_approximate,
        "unit": project.owner_unit.code if project.owner_unit else None,
        "unit_name": project.owner_unit.name if project.owner_unit else None,
        "leader": project.leader,
        "team": [{"unit": m.unit.code, "unit_name": m.unit.name, "name": m.name,
                  "duty": m.duty} for m in project.team],
        "milestones": [milestone_json(m, now) for m in milestones],
        "overdue": any(milestone_is_overdue(m, now) for m in milestones),
        "facts": list(project.facts or []), "source_quote": project.source_quote,
        "updated_at": _iso(project.updated_at), "version": project.version,
    }


def _reader():
    """Who reads: a token (or a signed-in session) of someone with project pages; else 401
    (no details for the public), 403 for the other roles."""
    user = api_user()
    if user is None:
        raise ApiProblem(401, "unauthorized", "a valid bearer token is required",
                         headers={"WWW-Authenticate": 'Bearer realm="service-desk"'})
    if not can_list_projects(user):
        raise ApiProblem(403, "forbidden", "your role has no key projects")
    return user


def _loaded(stmt):
    return stmt.options(
        selectinload(KeyProject.milestones), selectinload(KeyProject.owner_unit),
        selectinload(KeyProject.team).selectinload(TaskTeamMember.unit))


@bp.get("/projects")
@limiter.limit(read_limit)
def projects():
    """The projects the caller may view, by code; ``stage`` and ``unit`` narrow the list."""
    user = _reader()
    page, per_page = page_args()
    stmt = _loaded(visible_projects(user)).order_by(KeyProject.code)
    stage = request.args.get("stage")
    if stage:
        if stage not in STAGES:
            raise ApiProblem(422, "invalid_parameter", "unknown stage",
                             {"stage": "one of " + ", ".join(STAGES)})
        stmt = stmt.where(KeyProject.stage == ProjectStage(stage))
    unit_code = request.args.get("unit")
    if unit_code:
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        on_team = select(TaskTeamMember.project_id).where(
            TaskTeamMember.unit_id == (unit.id if unit else -1))
        stmt = stmt.where(or_(KeyProject.owner_unit_id == (unit.id if unit else -1),
                              KeyProject.id.in_(on_team)))
    result = paginate(stmt, page=page, per_page=per_page)
    now = today()
    return jsonify(items=[project_json(p, now) for p in result.items], total=result.total,
                   page=result.page, per_page=result.per_page, pages=result.pages,
                   links=page_links("api.projects", result))


def _visible(code: str, user) -> KeyProject:
    project = project_by_code(code)
    if project is None or not can_view_project(user, project):
        raise ApiProblem(404, "not_found", "no such project")
    return project


@bp.get("/projects/<code>")
@limiter.limit(read_limit)
def project(code: str):
    user = _reader()
    item = _visible(code, user)
    return with_etag(jsonify(project_json(item, today())), item.version)


def _text(length: int, description: str) -> Field:
    return Field(str, nullable=True, max_length=length, doc={"description": description})


def _pattern(pattern: str, description: str) -> Field:
    return Field(str, nullable=True, doc={"pattern": pattern, "description": description})


MILESTONE_FIELDS: dict[str, Field] = {}
for _kind in MilestoneKind:
    MILESTONE_FIELDS[f"{_kind.value}_planned"] = _pattern(
        DATE_AT_PRECISION, f"planned {_kind.value}: 2021-06-30, 2021-06 or 2021-Q2; null clears")
    MILESTONE_FIELDS[f"{_kind.value}_actual"] = _pattern(
        DATE_AT_PRECISION, f"actual {_kind.value}: a date at its precision; null clears")
MILESTONE_FIELDS["funds_arrival_amount"] = _pattern(MONEY, "funds arrived, in whole currency "
                                                    "units (元, US$): 10000000")
MILESTONE_FIELDS["funds_arrival_currency"] = _pattern(CURRENCY, "CNY, USD, …")

PROJECT_PATCH_FIELDS: dict[str, Field] = {
    "stage": Field(str, nullable=True, doc={"enum": [*STAGES, None]}),
    "investor": _text(200, "who invests"),
    "origin": Field(str, nullable=True, doc={"enum": [*ORIGINS, None]}),
    "category": Field(str, nullable=True, doc={"enum": [*CATEGORIES, None]}),
    "total_investment": _pattern(MONEY, "in whole currency units (元, US$): 300000000"),
    "total_investment_currency": _pattern(CURRENCY, "CNY, USD, …"),
    "investment_approximate": Field(bool, doc={"description": "the source says 近… (nearly)"}),
    "leader": _text(100, "the district leader in charge, as the source words it"),
    **MILESTONE_FIELDS,
    "version": Field(int, doc={"description": "the version you read (when not sent as "
                                              "If-Match)"}),
}
_SIMPLE = ("stage", "investor", "origin", "category", "total_investment",
           "total_investment_currency", "investment_approximate", "leader")
_KIND_OF = {"money": ("total_investment", "funds_arrival_amount"),
            "currency": ("total_investment_currency", "funds_arrival_currency"),
            "date": tuple(k for k in MILESTONE_FIELDS if k.endswith(("_planned", "_actual")))}


def _date_at_precision(text: str) -> tuple[dt.date, DatePrecision]:
    year, rest = int(text[:4]), text[5:]
    if rest.startswith("Q"):
        return dt.date(year, 3 * int(rest[1]) - 2, 1), DatePrecision.QUARTER
    if len(rest) == 2:
        return dt.date(year, int(rest), 1), DatePrecision.MONTH
    return dt.date(year, int(rest[:2]), int(rest[3:])), DatePrecision.DAY


def _checked(body: dict) -> dict[str, Any]:
    """The body's values typed, or 422 naming every bad field (the document's patterns are
    enforced here, so what the document refuses is refused)."""
    fields: dict[str, str] = {}
    for kind, names in _KIND_OF.items():
        for name in names:
            value = body.get(name)
            if value is not None and not _PATTERNS[kind].fullmatch(value):
                fields[name] = f"must match {_PATTERNS[kind].pattern}"
    for name, allowed in (("stage", STAGES), ("origin", ORIGINS), ("category", CATEGORIES)):
        if body.get(name) is not None and body[name] not in allowed:
            fields[name] = "one of " + ", ".join(allowed)
    typed = dict(body)
    for name in _KIND_OF["date"]:
        if body.get(name) is not None and name not in fields:
            try:
                typed[name] = _date_at_precision(body[name])
            except ValueError:
                fields[name] = "not a date of the calendar"
    now = today()
    for name in _KIND_OF["date"]:
        if name.endswith("_actual") and isinstance(typed.get(name), tuple) and \
                typed[name][0] > now:
            fields[name] = "an actual date cannot be later than today"
    if fields:
        raise invalid(fields)
    return typed


def _milestones(item: KeyProject, body: dict, user) -> None:
    """Each kind the body names, as on the sheet: the first milestone of that kind."""
    shown = first_milestones(item)
    for kind in MilestoneKind:
        planned_key, actual_key = f"{kind.value}_planned", f"{kind.value}_actual"
        money = kind is MilestoneKind.FUNDS_ARRIVAL
        names = (planned_key, actual_key,
                 *(("funds_arrival_amount", "funds_arrival_currency") if money else ()))
        if not any(n in body for n in names):
            continue
        milestone = shown.get(kind)
        stored_planned = (milestone.planned_on, milestone.precision) \
            if milestone and milestone.planned_on else None
        stored_actual = (milestone.actual_on, milestone.actual_precision) \
            if milestone and milestone.actual_on else None
        planned = body.get(planned_key, stored_planned)
        actual = body.get(actual_key, stored_actual)
        if planned is None and actual is None:
            if money and (body.get("funds_arrival_amount") or body.get("funds_arrival_currency")):
                raise ProjectError("a funds arrival needs a planned or an actual date",
                                   planned_key)
            if milestone is not None:
                milestone_remove(item, actor=user, milestone=milestone)
            continue
        amount = body.get("funds_arrival_amount", milestone.amount if milestone else None) \
            if money else None
        currency = body.get("funds_arrival_currency",
                            milestone.currency if milestone else None) if money else None
        milestone_set(
            item, actor=user, kind=kind, milestone=milestone,
            planned_on=planned[0] if planned else None,
            precision=planned[1] if planned else actual[1],
            actual_on=actual[0] if actual else None,
            actual_precision=actual[1] if actual else None,
            amount=amount, currency=currency, note=milestone.note if milestone else None)


_FIELD_NAMES = {"amount": "funds_arrival_amount", "currency": "funds_arrival_currency"}


@bp.patch("/projects/<code>")
def project_patch(code: str):
    """The responsible unit (owner or task team; admins) updates the project and its
    milestones, based on the version named by If-Match (412 when stale) or ``version`` in
    the body (409 when stale); with neither, 428."""
    user = bearer_user()
    item = _visible(code, user)
    if not can_edit_project(user, item):
        raise ApiProblem(403, "forbidden", "only the responsible unit may change this project")
    body = _checked(json_body(PROJECT_PATCH_FIELDS))
    version, by_header = expected_version(current_version=item.version,
                                          body_version=body.get("version"),
                                          current=lambda: project_json(item, today()))
    try:
        project_update(item, actor=user, version=version,
                       changes={k: body[k] for k in _SIMPLE if k in body})
        _milestones(item, body, user)
        db.session.commit()
    except (StaleProject, StaleDataError):
        db.session.rollback()
        current = project_by_code(code)
        raise stale(project_json(current, today()), current.version,
                    by_header=by_header) from None
    except ProjectError as exc:
        db.session.rollback()
        name = _FIELD_NAMES.get(exc.field or "", exc.field)
        raise invalid({name: str(exc.message)} if name else {}, str(exc.message)) from None
    item = project_by_code(code)
    return with_etag(jsonify(project_json(item, today())), item.version)
