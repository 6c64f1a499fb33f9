"""The OpenAPI 3 document of /api/v1 (what exists now; later issues add their paths)."""
from __future__ import annotations

from flask import jsonify

from . import bp

ERROR = {"$ref": "#/components/schemas/Error"}


def _page_params() -> list[dict]:
    return [
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
    ]


DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "Service Desk API", "version": "1",
             "description": "Weihai Economic and Technological Development Zone service desk."},
    "servers": [{"url": "/api/v1"}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["code", "message", "fields"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                               "fields": {"type": "object",
                                          "additionalProperties": {"type": "string"}}}}}},
            "Slot": {"type": "object", "properties": {
                "start": {"type": "string", "format": "date-time"},
                "end": {"type": "string", "format": "date-time"},
                "capacity": {"type": "integer"}, "remaining": {"type": "integer"}}},
            "Appointment": {"type": "object", "properties": {
                "reference": {"type": "string"}, "service_code": {"type": "string"},
                "service_name": {"type": "string"}, "status": {"type": "string"},
                "start": {"type": "string", "format": "date-time"},
                "end": {"type": "string", "format": "date-time"},
                "name": {"type": "string"}, "phone": {"type": "string", "description": "masked"},
                "address": {"type": "string", "nullable": True},
                "group": {"type": "string", "nullable": True},
                "needs": {"type": "string", "nullable": True}, "channel": {"type": "string"}}},
            "Unit": {"type": "object", "properties": {
                "code": {"type": "string"}, "name": {"type": "string"},
                "name_en": {"type": "string", "nullable": True}, "kind": {"type": "string"},
                "parent": {"type": "string", "nullable": True}}},
            "Matter": {"type": "object", "properties": {
                "number": {"type": "string"}, "title": {"type": "string"},
                "title_en": {"type": "string", "nullable": True},
                "description": {"type": "string", "nullable": True},
                "key_issue": {"type": "integer", "nullable": True},
                "lead_unit": {"type": "string", "nullable": True},
                "co_units": {"type": "array", "items": {"type": "string"}},
                "responsible_person": {"type": "string", "nullable": True},
                "deadline": {"type": "string", "format": "date", "nullable": True},
                "status": {"type": "string", "enum": ["not_started", "in_progress", "completed"]},
                "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                "overdue": {"type": "boolean"},
                "completed_on": {"type": "string", "format": "date", "nullable": True},
                "updated_at": {"type": "string", "format": "date-time"},
                "source_quote": {"type": "string", "nullable": True},
                "version": {"type": "integer"}}},
        },
    },
    "paths": {
        "/services": {"get": {"summary": "Services residents can ask for",
                              "responses": {"200": {"description": "All active services"}}}},
        "/services/{code}/slots": {"get": {
            "summary": "Bookable times with remaining places (full ones have remaining 0)",
            "parameters": [
                {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
                {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}}],
            "responses": {
                "200": {"description": "Slots", "content": {"application/json": {"schema": {
                    "type": "array", "items": {"$ref": "#/components/schemas/Slot"}}}}},
                "404": {"description": "Unknown service", "content": {"application/json": {"schema": ERROR}}},
                "422": {"description": "Bad range or not bookable",
                        "content": {"application/json": {"schema": ERROR}}}}}},
        "/appointments": {"post": {
            "summary": "Book a time (no account: keep the reference and your phone)",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["service_code", "start", "name", "phone"],
                "properties": {"service_code": {"type": "string"},
                               "start": {"type": "string", "format": "date-time"},
                               "name": {"type": "string"}, "phone": {"type": "string"},
                               "address": {"type": "string"}, "group": {"type": "string"},
                               "needs": {"type": "string"},
                               "channel": {"type": "string", "enum": ["web", "wechat"]}}}}}},
            "responses": {
                "201": {"description": "Booked", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Appointment"}}}},
                "409": {"description": "Slot full; `alternatives` lists the next free times",
                        "content": {"application/json": {"schema": ERROR}}},
                "422": {"description": "Invalid fields", "content": {"application/json": {"schema": ERROR}}}}}},
        "/appointments/{reference}": {"get": {
            "summary": "A booking, with the phone it was made with (404 alike when either is wrong)",
            "parameters": [{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}},
                           {"name": "phone", "in": "query", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The booking", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Appointment"}}}},
                "404": {"description": "Not found", "content": {"application/json": {"schema": ERROR}}},
                "429": {"description": "Too many lookups"}}}},
        "/appointments/{reference}/cancel": {"post": {
            "summary": "Cancel with {\"phone\"}; the place is freed",
            "parameters": [{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "Cancelled"},
                          "404": {"description": "Not found", "content": {"application/json": {"schema": ERROR}}},
                          "409": {"description": "Already cancelled or finished",
                                  "content": {"application/json": {"schema": ERROR}}}}}},
        "/appointments/{reference}/reschedule": {"post": {
            "summary": "Move to {\"start\"} with {\"phone\"}; the old place is freed in the same transaction",
            "parameters": [{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "Moved"},
                          "404": {"description": "Not found", "content": {"application/json": {"schema": ERROR}}},
                          "409": {"description": "Slot full or booking not active",
                                  "content": {"application/json": {"schema": ERROR}}},
                          "422": {"description": "Invalid start", "content": {"application/json": {"schema": ERROR}}}}}},
        "/units": {"get": {"summary": "Responsible units", "responses": {"200": {
            "description": "All units", "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Unit"}},
                    "total": {"type": "integer"}}}}}}}}},
        "/matters": {"get": {
            "summary": "The practical-matters ledger (public items unless signed in as staff)",
            "security": [{}, {"bearer": []}],
            "parameters": [
                {"name": "q", "in": "query", "schema": {"type": "string"}},
                {"name": "unit", "in": "query", "schema": {"type": "string"}},
                {"name": "key_issue", "in": "query", "schema": {"type": "integer"}},
                {"name": "status", "in": "query", "schema": {
                    "type": "string", "enum": ["not_started", "in_progress", "completed"]}},
                {"name": "overdue", "in": "query", "schema": {"type": "boolean"}},
                *_page_params(),
            ],
            "responses": {
                "200": {"description": "A page of matters", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Matter"}},
                        "total": {"type": "integer"}, "page": {"type": "integer"},
                        "per_page": {"type": "integer"}, "pages": {"type": "integer"},
                        "links": {"type": "object"}}}}}},
                "422": {"description": "Invalid parameter",
                        "content": {"application/json": {"schema": ERROR}}}}}},
        "/matters/{number}": {"patch": {
            "summary": "Record progress on an item (staff of its lead unit; co-units: notes only)",
            "security": [{"bearer": []}],
            "parameters": [{"name": "number", "in": "path", "required": True,
                            "schema": {"type": "string"}},
                           {"name": "If-Match", "in": "header", "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["note", "version"], "properties": {
                    "status": {"type": "string", "enum": ["not_started", "in_progress", "completed"]},
                    "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                    "note": {"type": "string"}, "version": {"type": "integer"},
                    "is_public": {"type": "boolean"}}}}}},
            "responses": {
                "200": {"description": "The updated item", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Matter"}}}},
                "401": {"description": "No valid token", "content": {"application/json": {"schema": ERROR}}},
                "403": {"description": "Another unit's item", "content": {"application/json": {"schema": ERROR}}},
                "404": {"description": "Unknown", "content": {"application/json": {"schema": ERROR}}},
                "409": {"description": "Stale version; `current` holds the item now",
                        "content": {"application/json": {"schema": ERROR}}},
                "422": {"description": "Invalid fields", "content": {"application/json": {"schema": ERROR}}}}},
            "get": {
            "summary": "One matter",
            "parameters": [{"name": "number", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {
                "200": {"description": "The matter", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Matter"}}}},
                "404": {"description": "Unknown or not visible",
                        "content": {"application/json": {"schema": ERROR}}}}}},
    },
}


@bp.get("/openapi.json")
def openapi():
    return jsonify(DOCUMENT)
