"""Dispatched requests (12345 lifecycle) for staff with a bearer token: list, detail, and the
actions accept, handle, resolve, return, reassign and call back; rules in bookings/dispatch.py."""
from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.models import Role
from ..db import utcnow
from ..extensions import db
from ..permissions import (
    can_call_back_request,
    can_list_requests,
    can_reassign_request,
    can_view_request,
    can_work_request,
)
from ..requests.errors import RequestError, StaleRequest
from ..requests.lifecycle import (
    LIFECYCLE_STATUSES,
    Action,
    action_check,
    allowed_actions,
    request_accept,
    request_callback,
    request_handle,
    request_reassign,
    request_resolve,
    request_return,
)
from ..requests.models import RequestStatus, Satisfaction, ServiceRequest
from ..requests.queries import (
    STAFF_STATUSES,
    RequestFilters,
    request_detail,
    request_history,
    requests_page,
)
from ..units.models import Unit
from . import bp
from .auth import bearer_user
from .body import ApiProblem, Field, json_body
from .conditional import expected_version, stale, with_etag
from .routes import VERSION, page_args, page_links
from .serialize import request_json


def may(user, item: ServiceRequest, action: Action) -> bool:
    if action is Action.REASSIGN:
        return can_reassign_request(user)
    if action is Action.CALLBACK:
        return can_call_back_request(user, item)
    return can_work_request(user, item)


def _json(item: ServiceRequest, user, now=None) -> dict:
    actions = [a.value for a in Action if a in allowed_actions(item) and may(user, item, a)]
    return request_json(item, now=now or utcnow(), actions=actions)


def _statuses(user) -> tuple[RequestStatus, ...]:
    return STAFF_STATUSES if user.role is Role.STAFF else LIFECYCLE_STATUSES


@bp.get("/requests")
def requests_list():
    """Staff see their unit's open and resolved requests; operators, supervisors and admins
    every request in the lifecycle. Filters: ``status``, ``unit`` (a unit code)."""
    user = bearer_user()
    if not can_list_requests(user):
        raise ApiProblem(403, "forbidden", "your role cannot list requests")
    page, per_page = page_args()
    statuses = _statuses(user)
    status = None
    if request.args.get("status"):
        try:
            status = RequestStatus(request.args["status"])
        except ValueError:
            status = None
        if status not in statuses:
            raise ApiProblem(422, "invalid_parameter", "unknown status",
                             {"status": "one of " + ", ".join(s.value for s in statuses)})
    staff = user.role is Role.STAFF
    result = requests_page(filters=RequestFilters(unit=request.args.get("unit") or None,
                                                  status=status),
                           page=page, per_page=per_page,
                           only_unit_id=user.unit_id if staff else None, statuses=statuses)
    now = utcnow()
    return jsonify(items=[_json(item, user, now) for item in result.items], total=result.total,
                   page=result.page, per_page=result.per_page, pages=result.pages,
                   links=page_links("api.requests_list", result))


def _found(reference: str, user) -> ServiceRequest:
    item = request_detail(reference)
    if item is None or item.status not in LIFECYCLE_STATUSES:
        raise ApiProblem(404, "not_found", "no such request")
    if not can_view_request(user, item):
        raise ApiProblem(403, "forbidden", "this request is with another unit")
    return item


def _history(item: ServiceRequest) -> list[dict]:
    out = []
    for entry in request_history(item.id):
        event = entry.event
        row = {"at": event.at.isoformat(), "action": event.action,
               "status_after": event.status_after.value if event.status_after else None,
               "unit": entry.unit, "actor": entry.actor, "note": event.note}
        if event.action == "called_back":  # the answer is kept on the request itself
            row["satisfaction"] = item.callback_answer.value if item.callback_answer else None
        out.append(row)
    return out


@bp.get("/requests/<reference>")
def request_get(reference: str):
    user = bearer_user()
    item = _found(reference, user)
    return with_etag(jsonify(_json(item, user) | {"history": _history(item)}), item.version)


TEXT = 4000
ACTION_FIELDS: dict[Action, dict[str, Field]] = {
    Action.ACCEPT: {"note": Field(str, nullable=True, max_length=TEXT)},
    Action.HANDLE: {"note": Field(str, required=True, max_length=TEXT)},
    Action.RESOLVE: {"reply": Field(str, required=True, max_length=TEXT)},
    Action.RETURN: {"reason": Field(str, required=True, max_length=TEXT)},
    Action.REASSIGN: {"unit": Field(str, required=True, doc={"description": "a unit code"}),
                      "note": Field(str, nullable=True, max_length=TEXT)},
    Action.CALLBACK: {"satisfaction": Field(str, required=True,
                                            doc={"enum": [s.value for s in Satisfaction]}),
                      "note": Field(str, required=True, max_length=TEXT)},
}


def action_fields(action: Action) -> dict[str, Field]:
    return ACTION_FIELDS[action] | {"version": VERSION}


def _apply(action: Action, item: ServiceRequest, user, body: dict, expected: int) -> None:
    if action is Action.ACCEPT:
        request_accept(request=item, actor=user, note=body.get("note"), expected_version=expected)
    elif action is Action.HANDLE:
        request_handle(request=item, actor=user, note=body["note"], expected_version=expected)
    elif action is Action.RESOLVE:
        request_resolve(request=item, service=item.service, actor=user, reply=body["reply"],
                        expected_version=expected)
    elif action is Action.RETURN:
        request_return(request=item, actor=user, reason=body["reason"], expected_version=expected)
    elif action is Action.REASSIGN:
        unit = db.session.scalar(select(Unit).where(Unit.code == body["unit"]))
        if unit is None:
            raise RequestError("unknown unit", "unit")
        request_reassign(request=item, service=item.service, unit=unit, actor=user,
                         note=body.get("note"), expected_version=expected)
    elif action is Action.CALLBACK:
        try:
            answer = Satisfaction(body["satisfaction"])
        except ValueError:
            raise RequestError("one of " + ", ".join(s.value for s in Satisfaction),
                                "satisfaction") from None
        request_callback(request=item, actor=user, satisfaction=answer, note=body["note"],
                         expected_version=expected)


def act(reference: str, action: Action):
    """One lifecycle step. Order of refusals: 401, 404, 403 (who), 400/422 (the body),
    428/412/409 (which version), 409 ``not_allowed`` (the status forbids this step)."""
    user = bearer_user()
    item = _found(reference, user)
    if not may(user, item, action):
        raise ApiProblem(403, "forbidden", "you may not do this to this request")
    body = json_body(action_fields(action))
    version, by_header = expected_version(current_version=item.version,
                                          body_version=body.get("version"),
                                          current=lambda: _json(item, user))
    try:
        action_check(item, action, version)
    except StaleRequest:
        raise stale(_json(item, user), item.version, by_header=by_header) from None
    except RequestError as exc:
        raise ApiProblem(409, "not_allowed", str(exc.message),
                         extra={"current": _json(item, user)}) from None
    try:
        _apply(action, item, user, body, version)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        current = _found(reference, user)
        raise stale(_json(current, user), current.version, by_header=by_header) from None
    except RequestError as exc:
        db.session.rollback()
        if exc.field:
            raise ApiProblem(422, "invalid_fields", str(exc.message),
                             {exc.field: str(exc.message)}) from None
        raise ApiProblem(409, "not_allowed", str(exc.message)) from None
    item = _found(reference, user)
    return with_etag(jsonify(_json(item, user)), item.version)


def _register(action: Action) -> None:
    def view(reference: str):
        return act(reference, action)

    view.__name__ = f"request_{action.value}"
    view.__doc__ = f"The {action.value} step of a dispatched request."
    bp.add_url_rule(f"/requests/<reference>/{action.value}", endpoint=view.__name__,
                    view_func=view, methods=["POST"])


for _action in Action:
    _register(_action)
