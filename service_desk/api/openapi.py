"""The OpenAPI 3 document of /api/v1.

Request bodies are generated from the very specs the strict parser enforces (``schema_of``);
response schemas list every field and allow no others, and tests validate real responses
against them (tests/api/test_openapi.py), so the document and the code cannot drift apart.
"""
from __future__ import annotations

from flask import jsonify

from ..requests.lifecycle import Action
from . import bp
from .appointments import BOOK_FIELDS, CANCEL_FIELDS, RESCHEDULE_FIELDS
from .body import schema_of
from .openapi_schemas import PROJECT_STAGES, SCHEMAS, obj, ref
from .projects import PROJECT_PATCH_FIELDS
from .ratings import RATE_FIELDS
from .reports import REPORT_FIELDS
from .requests import action_fields
from .routes import MAX_KEY_ISSUE, MAX_PAGE, MAX_PER_PAGE, PATCH_FIELDS

ERRORS = {
    400: "Not JSON, or malformed JSON (`invalid_json`); NUL or a character that is not text "
         "in the path or query string (`invalid_characters`, `fields` names where)",
    401: "No valid bearer token (`unauthorized`): missing, unknown, revoked, or of a "
         "deactivated account",
    403: "Your role or unit may not do this (`forbidden`)",
    404: "Unknown, or not visible to you (`not_found`)",
    409: "Conflict: see `code`; `current` holds the item as it is now where there is one",
    412: "If-Match does not name the current version (`precondition_failed`); `current` "
         "holds the item now, and the ETag header its version",
    413: "The body is larger than the API accepts (64 KB by default)",
    422: "Invalid fields or parameters: `fields` names each one (`invalid_fields`, "
         "`invalid_parameter`, `invalid_body`)",
    428: "Neither If-Match nor `version` was sent (`precondition_required`)",
    429: "Rate limit reached for your address (`too_many_requests`); try again later",
    503: "The database cannot be reached (`unavailable`); try again after `Retry-After` seconds",
}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before trying again",
                               "schema": {"type": "string"}}}
ETAG = {"ETag": {"description": "the item's version, quoted: send it back in If-Match",
                 "schema": {"type": "string"}}}
SLOTS_ETAG = {"ETag": {"description": "names this answer: send it back in If-None-Match",
                       "schema": {"type": "string"}}}
BEARER = [{"bearer": []}]
PUBLIC: list = []


def content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def ok(description: str, schema: dict, *, status: int = 200, etag: bool = False) -> dict:
    response: dict = {"description": description, "content": content(schema)}
    if etag:
        response["headers"] = ETAG
    return {str(status): response}


def errors(*codes: int) -> dict:
    """The error answers of an operation; any of them may answer 400 (``invalid_characters``)
    and 503 (the database down)."""
    return {str(c): {"$ref": f"#/components/responses/E{c}"} for c in sorted({400, 503, *codes})}


def path(name: str, description: str | None = None) -> dict:
    param = {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
    if description:
        param["description"] = description
    return param


def query(name: str, schema: dict, description: str | None = None, required: bool = False,
          *, empty: bool = False) -> dict:
    """``empty``: the code reads ``?name=`` as no filter (a plain HTML form sends that), so
    the document admits it: ``allowEmptyValue``, and the schema takes "" too."""
    param = {"name": name, "in": "query", "schema": schema, "required": required}
    if description:
        param["description"] = description
    if empty:
        param["allowEmptyValue"] = True
        param["schema"] = _or_empty(schema)
    return param


def _or_empty(schema: dict) -> dict:
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], ""]}
    if "pattern" in schema:
        return {**schema, "pattern": "^(" + schema["pattern"].strip("^$") + ")?$"}
    return schema


def body(spec: dict) -> dict:
    return {"required": True, "content": content(schema_of(spec))}


PAGE_PARAMS = [query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
               query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                     "items per page (default 50)")]
IF_MATCH = {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
            "description": "the ETag of the item you read, e.g. \"3\" (or send `version`)"}
# YYYY-MM from 0001-01 to 9999-12 (there is no year 0)
MONTH = {"type": "string",
         "pattern": r"^(\d{3}[1-9]|\d{2}[1-9]\d|\d[1-9]\d{2}|[1-9]\d{3})-(0[1-9]|1[0-2])$"}
WRITE_ERRORS = (400, 413, 422, 429)

ACTION_SUMMARY = {
    Action.ACCEPT: "签收 Accept a dispatched request (you become its assignee)",
    Action.HANDLE: "办理 Note what was done; the request stays accepted",
    Action.RESOLVE: "办结 Resolve with the reply texted to the resident",
    Action.RETURN: "退回 Return a request sent to the wrong unit, with the reason",
    Action.REASSIGN: "Send a returned request to another unit (supervisors, admins)",
    Action.CALLBACK: "回访 Record the resident's answer on the call-back",
}


def _request_action(action: Action) -> dict:
    return {"post": {
        "summary": ACTION_SUMMARY[action], "tags": ["requests"], "security": BEARER,
        "parameters": [path("reference"), IF_MATCH], "requestBody": body(action_fields(action)),
        "responses": {**ok("The request after the step", ref("StaffRequest"), etag=True),
                      **errors(400, 401, 403, 404, 409, 412, 413, 422, 428)}}}


PATHS = {
    "/units": {"get": {
        "summary": "Responsible units", "tags": ["ledger"], "security": PUBLIC,
        "responses": {**ok("All units", obj({"items": {"type": "array", "items": ref("Unit")},
                                             "total": {"type": "integer"}})),
                      **errors(429)}}},
    "/key-issues": {"get": {
        "summary": "The key issues items are filed under in the imported ledger, with how "
                   "many items (visible to you) each has", "tags": ["ledger"],
        "security": [{}, {"bearer": []}],
        "responses": {**ok("All key issues", obj({
            "items": {"type": "array", "items": ref("KeyIssue")}, "total": {"type": "integer"}})),
            **errors(429)}}},
    "/matters": {"get": {
        "summary": "The practical-matters ledger (public items unless the caller is staff)",
        "tags": ["ledger"], "security": [{}, {"bearer": []}],
        "parameters": [
            query("q", {"type": "string"}, "words in the title or description", empty=True),
            query("unit", {"type": "string"}, "a unit code: items it leads or co-handles",
                  empty=True),
            query("key_issue", {"type": "integer", "minimum": 1, "maximum": MAX_KEY_ISSUE}),
            query("status", {"type": "string", "enum": ["not_started", "in_progress",
                                                        "completed"]}, empty=True),
            query("overdue", {"type": "boolean"}),
            query("demo", {"type": "boolean"},
                  "staff only: include synthetic (demo, load-test) items, left out otherwise"),
            *PAGE_PARAMS],
        "responses": {**ok("A page of matters", ref("MatterPage")), **errors(422, 429)}}},
    "/matters/{number}": {
        "get": {
            "summary": "One matter; the ETag header carries its version",
            "tags": ["ledger"], "security": [{}, {"bearer": []}], "parameters": [path("number")],
            "responses": {**ok("The matter", ref("Matter"), etag=True), **errors(404, 429)}},
        "patch": {
            "summary": "Record progress (staff of the lead unit; co-units add notes only)",
            "description": "Send `If-Match` with the ETag you read (412 when the item changed "
                           "since), or `version` in the body (409 when stale). With neither: "
                           "428. On success the new ETag is returned.",
            "tags": ["ledger"], "security": BEARER,
            "parameters": [path("number"), IF_MATCH], "requestBody": body(PATCH_FIELDS),
            "responses": {**ok("The updated item", ref("Matter"), etag=True),
                          **errors(400, 401, 403, 404, 409, 412, 413, 422, 428)}}},
    "/projects": {"get": {
        "summary": "Key projects you may view (staff of the responsible unit or on the task "
                   "team, the leader in charge, supervisors, admins), with their milestones",
        "description": "Commercial information: 401 without a token, 403 for roles without "
                       "key projects.", "tags": ["projects"], "security": BEARER,
        "parameters": [query("stage", {"type": "string", "enum": PROJECT_STAGES}, empty=True),
                       query("unit", {"type": "string"}, "a unit code: owner or on the team",
                             empty=True),
                       *PAGE_PARAMS],
        "responses": {**ok("A page of projects", ref("ProjectPage")),
                      **errors(401, 403, 422, 429)}}},
    "/projects/{code}": {
        "get": {
            "summary": "One key project with its team and milestones; the ETag header "
                       "carries its version", "tags": ["projects"], "security": BEARER,
            "parameters": [path("code")],
            "responses": {**ok("The project", ref("Project"), etag=True),
                          **errors(401, 403, 404, 429)}},
        "patch": {
            "summary": "Update a project and its milestones (the responsible unit: staff of "
                       "the owner unit or of a unit on the task team; admins)",
            "description": "Send `If-Match` with the ETag you read (412 when the project "
                           "changed since), or `version` in the body (409 when stale); with "
                           "neither, 428. Milestones as on the bureau's sheet, one per kind: "
                           "`<kind>_planned` and `<kind>_actual` at their precision "
                           "(2021-06-30, 2021-06 or 2021-Q2); null clears, and a kind left "
                           "with neither date is removed. 404 for a project you may not "
                           "view, 403 for one you may view but not change.",
            "tags": ["projects"], "security": BEARER,
            "parameters": [path("code"), IF_MATCH], "requestBody": body(PROJECT_PATCH_FIELDS),
            "responses": {**ok("The updated project", ref("Project"), etag=True),
                          **errors(400, 401, 403, 404, 409, 412, 413, 422, 428)}}},
    "/services": {"get": {
        "summary": "Services residents can ask for", "tags": ["appointments"],
        "security": PUBLIC,
        "responses": {**ok("All active services", obj({
            "items": {"type": "array", "items": ref("Service")}, "total": {"type": "integer"}})),
            **errors(429)}}},
    "/services/{code}/slots": {"get": {
        "summary": "Bookable times with remaining places (full ones have remaining 0)",
        "description": "Exact on every call: a place taken or freed, a closure or an hours "
                       "change shows in the next answer. The `ETag` changes exactly when the "
                       "answer does; send it back in `If-None-Match` to get 304 while nothing "
                       "changed.",
        "tags": ["appointments"], "security": PUBLIC,
        "parameters": [path("code"), query("from", {"type": "string", "format": "date"},
                                           "first day (default today)"),
                       query("to", {"type": "string", "format": "date"},
                             "last day (default a week on; at most 62 days after from)"),
                       {"name": "If-None-Match", "in": "header", "required": False,
                        "schema": {"type": "string"},
                        "description": "the ETag of an answer you hold: 304 while it is current"}],
        "responses": {"200": {**ok("Slots", {"type": "array", "items": ref("Slot")})["200"],
                              "headers": SLOTS_ETAG},
                      "304": {"description": "Not modified: the answer you hold is current",
                              "headers": SLOTS_ETAG},
                      **errors(404, 422, 429)}}},
    "/appointments": {"post": {
        "summary": "Book a time (no account: keep the reference and your phone)",
        "description": "409 `slot_full` when the time filled up first (`alternatives` lists "
                       "the next free times); 409 `duplicate_booking` when this phone already "
                       "holds the service's allowance of active bookings that day (one by "
                       "default; `existing` says when the booking it holds starts, not its reference).",
        "tags": ["appointments"], "security": PUBLIC, "requestBody": body(BOOK_FIELDS),
        "responses": {**ok("Booked", ref("Appointment"), status=201),
                      **errors(409, *WRITE_ERRORS)}}},
    "/appointments/{reference}": {"get": {
        "summary": "A booking, with the phone it was made with (404 alike when either is wrong)",
        "tags": ["appointments"], "security": PUBLIC,
        "parameters": [path("reference"), query("phone", {"type": "string"}, required=True)],
        "responses": {**ok("The booking", ref("Appointment")), **errors(404, 429)}}},
    "/appointments/{reference}/cancel": {"post": {
        "summary": "Cancel with {\"phone\"}; the place is freed", "tags": ["appointments"],
        "security": PUBLIC, "parameters": [path("reference")], "requestBody": body(CANCEL_FIELDS),
        "responses": {**ok("Cancelled", ref("Appointment")),
                      **errors(404, 409, *WRITE_ERRORS)}}},
    "/appointments/{reference}/reschedule": {"post": {
        "summary": "Move to another start; the old place is freed in the same transaction",
        "description": "409 `slot_full`, `not_active`, `conflict`, or `duplicate_booking` "
                       "when the phone already holds another booking of the service that day.",
        "tags": ["appointments"], "security": PUBLIC, "parameters": [path("reference")],
        "requestBody": body(RESCHEDULE_FIELDS),
        "responses": {**ok("Moved", ref("Appointment")), **errors(404, 409, *WRITE_ERRORS)}}},
    "/appointments/{reference}/rating": {"post": {
        "summary": "好差评: rate a finished service once, 1–5 (5 = 非常满意); also for a "
                   "resolved report's reference",
        "description": "409 `not_rateable` before the service is completed, 409 "
                       "`already_rated` the second time; 404 alike for a wrong phone or an "
                       "unknown reference. A rating of 1 or 2 opens a rectification.",
        "tags": ["ratings"], "security": PUBLIC, "parameters": [path("reference")],
        "requestBody": body(RATE_FIELDS),
        "responses": {**ok("Rated", ref("Rating"), status=201),
                      **errors(403, 404, 409, *WRITE_ERRORS)}}},
    "/reports": {"post": {
        "summary": "Report a problem; it is dispatched at once to the unit in charge",
        "tags": ["reports"], "security": PUBLIC, "requestBody": body(REPORT_FIELDS),
        "responses": {**ok("Reported", ref("Report"), status=201), **errors(*WRITE_ERRORS)}}},
    "/reports/{reference}": {"get": {
        "summary": "Follow a report with its reference and phone (404 alike when either is "
                   "wrong)", "tags": ["reports"], "security": PUBLIC,
        "parameters": [path("reference"), query("phone", {"type": "string"}, required=True)],
        "responses": {**ok("The report", ref("Report")), **errors(404, 429)}}},
    "/requests": {"get": {
        "summary": "Dispatched requests: staff see their unit's, operators, supervisors and "
                   "admins all; phones masked", "tags": ["requests"], "security": BEARER,
        "parameters": [query("status", {"type": "string", "enum": [
                           "dispatched", "accepted", "returned", "resolved", "called_back"]},
                             empty=True),
                       query("unit", {"type": "string"}, "a unit code", empty=True),
                       *PAGE_PARAMS],
        "responses": {**ok("A page of requests", ref("RequestPage")),
                      **errors(401, 403, 422)}}},
    "/requests/{reference}": {"get": {
        "summary": "One request with its history; the ETag header carries its version",
        "tags": ["requests"], "security": BEARER, "parameters": [path("reference")],
        "responses": {**ok("The request", ref("StaffRequestDetail"), etag=True),
                      **errors(401, 403, 404)}}},
    **{f"/requests/{{reference}}/{a.value}": _request_action(a) for a in Action},
    "/stats/ratings": {"get": {
        "summary": "Satisfaction figures: evaluation rate (rated ÷ completed) and good-rating "
                   "rate (levels 4–5 ÷ rated), overall and per unit",
        "tags": ["ratings"], "security": PUBLIC,
        "parameters": [query("from", MONTH, "first month finished, YYYY-MM", empty=True),
                       query("to", MONTH, "last month finished, YYYY-MM", empty=True),
                       query("unit", {"type": "string"}, "a unit code", empty=True),
                       query("service", {"type": "string"}, "a service code", empty=True),
                       query("channel", {"type": "string", "enum": [
                           "phone", "wechat", "web", "walk_in", "open311"]}, empty=True)],
        "responses": {**ok("The figures", ref("RatingStats")), **errors(422, 429)}}},
}

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {
        "title": "Service Desk API", "version": "1",
        "description": (
            "Weihai Economic and Technological Development Zone service desk. Errors: a 4xx "
            "status with {\"error\": {\"code\", \"message\", \"fields\"}}. Times are ISO 8601 "
            "with offset. Staff calls send `Authorization: Bearer <token>` (service-desk "
            "tokens create USERNAME, or the API tokens page); public calls are rate-limited "
            "per address. Bodies are JSON objects of at most 64 KB; unknown fields are "
            "refused.")},
    "servers": [{"url": "/api/v1"}],
    "tags": [{"name": n} for n in ("ledger", "projects", "appointments", "reports", "ratings",
                                   "requests")],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                       "description": "an API token of a staff account"}},
        "schemas": SCHEMAS,
        "responses": {f"E{code}": {"description": text, "content": content(ref("Error")),
                                   **({"headers": RETRY_AFTER} if code == 503 else {})}
                      for code, text in ERRORS.items()},
    },
    "paths": PATHS,
}


@bp.get("/openapi.json")
def openapi():
    return jsonify(DOCUMENT)
