"""JSON shapes of the API (times ISO 8601 with offset)."""
from __future__ import annotations

from ..base.calendar import today
from ..base.phones import mask_phone
from ..matters.models import KeyIssue, Matter
from ..matters.queries import is_overdue
from ..requests.lifecycle import is_overdue as is_request_overdue
from ..requests.models import ServiceRequest
from ..units.models import Unit


def unit_json(unit: Unit) -> dict:
    return {"code": unit.code, "name": unit.name, "name_en": unit.name_en,
            "kind": unit.kind.value, "parent": unit.parent.code if unit.parent else None}


def matter_json(matter: Matter, *, names: bool) -> dict:
    """``names``: whether the caller may see people's names (permissions.can_see_names)."""
    return {
        "number": matter.number,
        "title": matter.title,
        "title_en": matter.title_en,
        "description": matter.description,
        "key_issue": matter.key_issue.number if matter.key_issue else None,
        "lead_unit": matter.lead_unit.code if matter.lead_unit else None,
        "co_units": [u.code for u in matter.co_units],
        "responsible_person": matter.responsible_person if names else None,
        "deadline": matter.deadline.isoformat() if matter.deadline else None,
        "status": matter.status.value,
        "progress": matter.progress,
        "overdue": is_overdue(matter, today()),
        "completed_on": matter.completed_on.isoformat() if matter.completed_on else None,
        "updated_at": matter.updated_at.isoformat(),
        "source_quote": matter.source_quote,
        "version": matter.version,
    }


def key_issue_json(issue: KeyIssue, *, matters: int) -> dict:
    return {"number": issue.number, "title": issue.title, "title_en": issue.title_en,
            "source_quote": issue.source_quote, "matters": matters}


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def request_json(item: ServiceRequest, *, now, actions: list[str]) -> dict:
    """A dispatched request for staff: the resident's phone masked (the full number is shown,
    audited, on the web page only)."""
    return {
        "reference": item.reference, "status": item.status.value,
        "service_code": item.service.code, "service_name": item.service.name,
        "unit": item.unit.code if item.unit else None,
        "unit_name": item.unit.name if item.unit else None,
        "channel": item.channel.value, "resident_name": item.resident_name,
        "phone": mask_phone(item.resident_phone), "address": item.address,
        "group": item.special_group.value if item.special_group else None,
        "needs": item.needs, "description": item.description, "reply": item.reply,
        "request_type": item.request_type.value if item.request_type else None,
        "created_at": _iso(item.created_at), "updated_at": _iso(item.updated_at),
        "due_at": _iso(item.due_at), "resolved_at": _iso(item.resolved_at),
        "overdue": is_request_overdue(item, now), "version": item.version,
        "actions": actions,
    }
