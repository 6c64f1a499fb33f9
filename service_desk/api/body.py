"""Strict JSON input for the API: one parser, so every endpoint answers bad input alike.

Malformed or non-JSON bodies answer 400 ``invalid_json`` (so does a field name holding a lone
surrogate: it could not be named back); a body that is not an object, has unknown fields,
misses required ones, has a wrong type, a string with NUL or a lone surrogate (``"\\ud800"``:
not storable, see ``base.inputs``) or an integer beyond the database's answers 422
``invalid_fields`` naming each field; a body over ``API_MAX_BODY_BYTES`` answers 413 (see
``limit_body``). Never a 500.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from flask import current_app, jsonify, request

from ..base.inputs import INT_MAX, INT_MIN, has_surrogate, storable_int, storable_text
from . import bp


class ApiProblem(Exception):
    """Raised anywhere in a view; answered in the contract's error shape (plus ``extra``)."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None,
                 extra: dict | None = None, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields = fields or {}
        self.extra = extra or {}
        self.headers = headers or {}


@bp.errorhandler(ApiProblem)
def _problem(exc: ApiProblem):
    payload = {"error": {"code": exc.code, "message": exc.message,
                         "fields": {k: str(v) for k, v in exc.fields.items()}}, **exc.extra}
    response = jsonify(payload)
    response.status_code = exc.status
    for name, value in exc.headers.items():
        response.headers[name] = value
    return response


def invalid(fields: dict, message: str = "some fields are invalid") -> ApiProblem:
    return ApiProblem(422, "invalid_fields", message, fields)


@bp.before_request
def limit_body() -> None:
    """API bodies are small: past the limit Werkzeug raises 413 while reading, answered by the
    JSON error handler (the app-wide MAX_CONTENT_LENGTH stays large for attachments)."""
    request.max_content_length = current_app.config["API_MAX_BODY_BYTES"]


@dataclass(frozen=True)
class Field:
    """One accepted field: its JSON type, whether it must be there, whether null is allowed.
    An int field takes only what the database's INTEGER holds (``base.inputs``)."""

    kind: type  # str, int, bool, float
    required: bool = False
    nullable: bool = False
    max_length: int | None = None
    # OpenAPI-only detail (enum, format, minimum, description): see ``schema_of``
    doc: dict = dc_field(default_factory=dict)


_TYPE_WORDS = {str: "a string", int: "an integer", bool: "true or false", float: "a number"}


def _type_ok(value: Any, kind: type) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, kind)


def _not_a_number(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _value_problem(value: Any, rule: Field) -> str | None:
    """What is wrong with a non-null value, or None."""
    if not _type_ok(value, rule.kind):
        return f"must be {_TYPE_WORDS[rule.kind]}"
    if isinstance(value, str):
        if not storable_text(value):
            return "must be text without NUL or lone surrogates (\\ud800–\\udfff)"
        if rule.max_length is not None and len(value) > rule.max_length:
            return f"at most {rule.max_length} characters"
    if rule.kind is int and not storable_int(value):
        return f"must be an integer from {INT_MIN} to {INT_MAX}"
    return None


def json_body(spec: dict[str, Field]) -> dict[str, Any]:
    """The request's JSON object checked against ``spec``; raises ApiProblem otherwise."""
    if not request.is_json:
        raise ApiProblem(400, "invalid_json", "send a JSON object with Content-Type: application/json")
    raw = request.get_data(cache=True)  # over the size limit: 413 from here
    try:  # NaN and Infinity are not JSON
        body = json.loads(raw, parse_constant=_not_a_number)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise ApiProblem(400, "invalid_json", "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiProblem(422, "invalid_body", "send a JSON object")
    if any(has_surrogate(name) for name in body):
        raise ApiProblem(400, "invalid_json",
                         "a field name holds a lone surrogate (\\ud800–\\udfff): not text")
    fields: dict[str, str] = {}
    for name in body:
        if name not in spec:
            fields[name] = "unknown field"
    for name, rule in spec.items():
        if name not in body:
            if rule.required:
                fields[name] = "required"
            continue
        value = body[name]
        if value is None:
            if not rule.nullable:
                fields[name] = f"must be {_TYPE_WORDS[rule.kind]}, not null"
            continue
        problem = _value_problem(value, rule)
        if problem is not None:
            fields[name] = problem
    if fields:
        raise invalid(fields)
    return body


_OPENAPI_TYPES = {str: "string", int: "integer", bool: "boolean", float: "number"}


def schema_of(spec: dict[str, Field]) -> dict:
    """The OpenAPI schema of a body ``json_body(spec)`` accepts: the document is generated
    from the same spec the parser enforces, so the two cannot drift."""
    props = {}
    for name, rule in spec.items():
        prop: dict = {"type": _OPENAPI_TYPES[rule.kind], **rule.doc}
        if rule.kind is int:  # what the parser takes, unless the doc narrows it
            prop = {"format": "int32", "minimum": INT_MIN, "maximum": INT_MAX, **prop}
        if rule.nullable:
            prop["nullable"] = True
        if rule.max_length is not None:
            prop["maxLength"] = rule.max_length
        props[name] = prop
    schema: dict = {"type": "object", "properties": props, "additionalProperties": False}
    required = [name for name, rule in spec.items() if rule.required]
    if required:
        schema["required"] = required
    return schema
