"""Open311 shapes, field names exactly as GeoReport v2 has them, in JSON and in XML.

The XML is the specification's own (schemaless, no namespace, UTF-8 with its declaration);
the JSON follows from it by the Spark convention: a list element becomes an array of its
children (``<services><service>…`` → ``[{…}]``). Times are ISO 8601 with their offset.
"""
from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

from flask import Response, request
from flask_babel import get_locale

from ..base.calendar import zone
from ..catalog.models import Service
from .definitions import Attribute
from .queries import OPEN, RequestRow, ServiceRow
from .xmlchars import xml_safe

FORMATS = ("json", "xml")
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'

# list element -> the name of each of its children
CHILD = {"services": "service", "service_requests": "request", "attributes": "attribute",
         "values": "value", "endpoints": "endpoint", "formats": "format", "errors": "error"}


def path_format() -> str:
    """The format the path's extension asks for (…/services.xml); JSON otherwise."""
    return "xml" if request.path.lower().endswith(".xml") else "json"


def w3_time(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(zone()).isoformat(timespec="seconds")


def _english() -> bool:
    return str(get_locale() or "").startswith("en")


def _pick(name: str | None, name_en: str | None) -> str | None:
    return name_en if (_english() and name_en) else name


# --- shapes ---------------------------------------------------------------------------------

def service_dict(row: ServiceRow, *, has_attributes: bool, service_type: str) -> dict:
    service = row.service
    return {"service_code": service.code,
            "service_name": _pick(service.name, service.name_en),
            "description": service.description,
            "metadata": has_attributes,
            "type": service_type,
            "keywords": None,
            "group": _pick(row.unit_name, row.unit_name_en)}


def _attribute_dict(attr: Attribute) -> dict:
    return {"variable": attr.variable, "code": attr.code, "datatype": attr.datatype,
            "required": attr.required,
            "datatype_description": (str(attr.datatype_description)
                                     if attr.datatype_description is not None else None),
            "order": attr.order, "description": str(attr.description),
            "values": [{"key": key, "name": str(name)} for key, name in attr.values]}


def definition_dict(service: Service, attributes: list[Attribute]) -> dict:
    return {"service_code": service.code,
            "attributes": [_attribute_dict(a) for a in attributes]}


def request_dict(row: RequestRow) -> dict:
    item = row.request
    is_open = item.status in OPEN
    if is_open:
        notes = row.note
        updated = item.updated_at
    else:
        notes = item.reply
        updated = item.resolved_at or item.updated_at
    return {"service_request_id": item.reference,
            "status": "open" if is_open else "closed",
            "status_notes": notes,
            "service_name": _pick(row.service_name, row.service_name_en),
            "service_code": row.service_code,
            "description": item.description,
            "agency_responsible": _pick(row.unit_name, row.unit_name_en),
            "service_notice": None,
            "requested_datetime": w3_time(item.created_at),
            "updated_datetime": w3_time(updated),
            "expected_datetime": w3_time(item.due_at),
            "address": item.address,
            "address_id": None,
            "zipcode": None,
            "lat": item.lat,
            "long": item.long,
            "media_url": item.media_url}


# --- rendering ------------------------------------------------------------------------------

def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return xml_safe(str(value))  # text stored by another channel may hold such characters


def _fill(parent: ET.Element, data: dict) -> None:
    for key, value in data.items():
        child = ET.SubElement(parent, key)
        if isinstance(value, list):
            for item in value:
                _item(child, CHILD[key], item)
        elif isinstance(value, dict):
            _fill(child, value)
        else:
            child.text = _text(value)


def _item(parent: ET.Element, tag: str, value) -> None:
    element = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        _fill(element, value)
    else:
        element.text = _text(value)


def to_xml(root: str, data) -> bytes:
    """``data`` (a list of dicts, or a dict) as the document element ``root``."""
    element = ET.Element(root)
    if isinstance(data, list):
        for item in data:
            _item(element, CHILD[root], item)
    else:
        _fill(element, data)
    return (XML_DECLARATION + ET.tostring(element, encoding="unicode")).encode("utf-8")


def respond(root: str, data, fmt: str, status: int = 200) -> Response:
    """``data`` in ``fmt``; ``root`` names the XML document element (e.g. "services")."""
    if fmt == "xml":
        return Response(to_xml(root, data), status=status, content_type=XML_TYPE)
    body = json.dumps(data, ensure_ascii=False)  # keys in the specification's order
    return Response(body, status=status, content_type=JSON_TYPE)


def error_response(status: int, descriptions: list[str], fmt: str | None = None) -> Response:
    """The specification's error array, each error with the HTTP status as its code."""
    errors = [{"code": status, "description": str(d)} for d in descriptions]
    return respond("errors", errors, fmt or path_format(), status)
