"""Response schemas of the OpenAPI document: every field listed, required, and no others,
so a field added to a serializer without documenting it fails the OpenAPI tests."""
from __future__ import annotations

from ..requests.lifecycle import Action
from ..requests.models import RequestType

# a reported request's 12345 type; null for bookings and reports that did not give one
REQUEST_TYPES = [t.value for t in RequestType] + [None]  # OpenAPI 3.0: null listed too
REQUEST_TYPE_WORDS = ("the 12345 type of a report: complaint (投诉), enquiry (咨询), suggestion "
                      "(建议), help (求助), praise (表扬); null when not given")


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(props: dict, *, optional: tuple[str, ...] = ()) -> dict:
    required = [name for name in props if name not in optional]
    schema = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


def s(fmt: str | None = None, *, null: bool = False, **extra) -> dict:
    schema: dict = {"type": "string", **extra}
    if fmt:
        schema["format"] = fmt
    if null:
        schema["nullable"] = True
    return schema


def i(*, null: bool = False, **extra) -> dict:
    schema: dict = {"type": "integer", **extra}
    if null:
        schema["nullable"] = True
    return schema


def rate() -> dict:
    return {"type": "number", "minimum": 0, "maximum": 1, "nullable": True,
            "description": "a fraction 0–1; null when there is nothing to divide"}


def strings() -> dict:
    return {"type": "array", "items": {"type": "string"}}


MATTER_STATUS = ["not_started", "in_progress", "completed"]
REQUEST_STATUS = ["booked", "arrived", "no_show", "dispatched", "accepted", "returned",
                  "resolved", "called_back", "completed", "cancelled"]
PAGE = {"total": i(), "page": i(), "per_page": i(), "pages": i(),
        "links": obj({"next": s(), "prev": s()}, optional=("next", "prev"))}

FIGURES = {"completed": i(), "rated": i(), "good": i(), "evaluation_rate": rate(),
           "good_rating_rate": rate()}

STAFF_REQUEST = {
    "reference": s(), "status": s(enum=REQUEST_STATUS), "service_code": s(),
    "service_name": s(), "unit": s(null=True), "unit_name": s(null=True), "channel": s(),
    "resident_name": s(), "phone": s(description="masked: 138****5678"),
    "address": s(null=True), "group": s(null=True), "needs": s(null=True),
    "description": s(null=True), "reply": s(null=True),
    "request_type": s(null=True, enum=REQUEST_TYPES, description=REQUEST_TYPE_WORDS),
    "created_at": s("date-time"),
    "updated_at": s("date-time"), "due_at": s("date-time", null=True),
    "resolved_at": s("date-time", null=True), "overdue": {"type": "boolean"},
    "version": i(description="also the ETag"),
    "actions": {"type": "array", "items": s(enum=[a.value for a in Action]),
                "description": "the steps you may take now"},
}

# the key-projects ledger (issue 14); money as text in whole currency units, to the cent
PROJECT_STAGES = ["attraction", "appraisal", "due_diligence", "approval", "land_supply",
                  "construction", "opened"]
MILESTONE_KINDS = ["signing", "registration", "funds_arrival", "land_supply",
                   "construction_start", "completion", "opening"]
PRECISIONS = ["day", "month", "quarter"]


def money() -> dict:
    return s(null=True, pattern=r"^\d+\.\d{2}$",
             description="whole currency units (元, US$), two decimals; null when unknown")


PROJECT = {
    "code": s(), "name": s(), "name_en": s(null=True),
    "record_kind": s(enum=["project", "enterprise"], description="enterprise: an enterprise "
                     "the article names that is not one of the 44 projects"),
    "investor": s(null=True), "origin": s(null=True, enum=["domestic", "foreign", None]),
    "category": s(null=True, enum=["manufacturing", "cross_border_ecommerce",
                                   "modern_services", None]),
    "stage": s(null=True, enum=[*PROJECT_STAGES, None], description="the link of the chain "
               "招商引资 → … → 投产/开业; null when not known"),
    "total_investment": money(), "total_investment_currency": s(null=True),
    "investment_approximate": {"type": "boolean", "description": "the source says 近…"},
    "registered_capital": money(), "registered_capital_currency": s(null=True),
    "expected_sales": money(), "expected_sales_currency": s(null=True),
    "expected_sales_approximate": {"type": "boolean"},
    "unit": s(null=True, description="the responsible unit's code"),
    "unit_name": s(null=True), "leader": s(null=True, description="the district leader in "
                                                         "charge, as the source words it"),
    "team": {"type": "array", "items": obj({"unit": s(), "unit_name": s(),
                                            "name": s(null=True), "duty": s(null=True)})},
    "milestones": {"type": "array", "items": obj({
        "kind": s(enum=MILESTONE_KINDS), "planned_on": s("date", null=True),
        "planned_precision": s(enum=PRECISIONS, description="a month or quarter is given as "
                               "its first day"),
        "actual_on": s("date", null=True),
        "actual_precision": s(null=True, enum=[*PRECISIONS, None]),
        "done": {"type": "boolean", "description": "it has an actual date"},
        "overdue": {"type": "boolean", "description": "the planned period ended before "
                    "today and there is no actual date"},
        "amount": money(), "currency": s(null=True), "note": s(null=True),
        "source_quote": s(null=True)})},
    "overdue": {"type": "boolean", "description": "a milestone is overdue"},
    "facts": strings(), "source_quote": s(null=True), "updated_at": s("date-time"),
    "version": i(description="also the ETag"),
}

SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error"], "additionalProperties": False,
        "properties": {
            "error": obj({"code": s(), "message": s(),
                          "fields": {"type": "object", "additionalProperties": s(),
                                     "description": "field or parameter → what is wrong"}}),
            "current": {"type": "object", "description": "the item as it is now (409, 412)"},
            "alternatives": {"type": "array", "items": ref("Slot"),
                             "description": "the next free times (slot full)"},
            "existing": {**obj({"start": s("date-time", null=True)}),
                         "description": "when the booking the phone already holds that day "
                                        "starts (duplicate_booking); its reference is in the "
                                        "resident's text, never in this answer"}}},
    "Unit": obj({"code": s(), "name": s(), "name_en": s(null=True), "kind": s(),
                 "parent": s(null=True)}),
    "KeyIssue": obj({"number": i(), "title": s(), "title_en": s(null=True),
                     "source_quote": s(null=True), "matters": i()}),
    "Matter": obj({
        "number": s(), "title": s(), "title_en": s(null=True), "description": s(null=True),
        "key_issue": i(null=True), "lead_unit": s(null=True), "co_units": strings(),
        "responsible_person": s(null=True, description="null unless the caller holds a staff "
                                "token: the public sees no names"),
        "deadline": s("date", null=True),
        "status": s(enum=MATTER_STATUS), "progress": i(minimum=0, maximum=100),
        "overdue": {"type": "boolean"}, "completed_on": s("date", null=True),
        "updated_at": s("date-time"), "source_quote": s(null=True),
        "version": i(description="also the ETag")}),
    "MatterPage": obj({"items": {"type": "array", "items": ref("Matter")}, **PAGE}),
    "Service": obj({
        "code": s(), "name": s(), "name_en": s(null=True),
        "kind": s(enum=["appointment", "dispatch"]), "location": s(null=True),
        "channels": strings(), "eligible_groups": strings(),
        "duration_minutes": i(null=True), "capacity": i(null=True),
        "description": s(null=True)}),
    "Slot": obj({"start": s("date-time"), "end": s("date-time"), "capacity": i(),
                 "remaining": i()}),
    "Appointment": obj({
        "reference": s(), "service_code": s(), "service_name": s(),
        "status": s(enum=REQUEST_STATUS), "start": s("date-time", null=True),
        "end": s("date-time", null=True), "name": s(),
        "phone": s(description="masked: 138****5678"), "address": s(null=True),
        "group": s(null=True), "needs": s(null=True), "channel": s()}),
    "Report": obj({
        "reference": s(), "status": s(enum=REQUEST_STATUS), "service_code": s(),
        "service_name": s(), "unit": s(null=True), "unit_name": s(null=True),
        "description": s(null=True), "reply": s(null=True), "name": s(),
        "phone": s(description="masked"), "address": s(null=True), "channel": s(),
        "request_type": s(null=True, enum=REQUEST_TYPES, description=REQUEST_TYPE_WORDS),
        "created_at": s("date-time"), "due_at": s("date-time", null=True),
        "resolved_at": s("date-time", null=True)}),
    "StaffRequest": obj(STAFF_REQUEST),
    "StaffRequestDetail": obj({**STAFF_REQUEST, "history": {"type": "array", "items": obj({
        "at": s("date-time"), "action": s(), "status_after": s(null=True),
        "unit": s(null=True), "actor": s(null=True), "note": s(null=True),
        "satisfaction": s(null=True)}, optional=("satisfaction",))}}),
    "RequestPage": obj({"items": {"type": "array", "items": ref("StaffRequest")}, **PAGE}),
    "Project": obj(PROJECT),
    "ProjectPage": obj({"items": {"type": "array", "items": ref("Project")}, **PAGE}),
    "Rating": obj({
        "reference": s(), "level": i(minimum=1, maximum=5), "comment": s(null=True),
        "good": {"type": "boolean", "description": "level 4 or 5"},
        "created_at": s("date-time"), "source": s()}),
    "RatingStats": obj({
        "good_levels": {"type": "array", "items": i(),
                        "description": "the levels that count as good: [4, 5]"},
        **FIGURES,
        "levels": {"type": "object", "additionalProperties": i(),
                   "description": "counted ratings per level \"1\" … \"5\""},
        "units": {"type": "array", "items": obj({"code": s(), "name": s(),
                                                  "name_en": s(null=True), **FIGURES})},
        "filters": obj({k: s(null=True) for k in ("from", "to", "unit", "service",
                                                  "channel")})}),
}
