"""JSON shapes of the API (times ISO 8601 with offset)."""
from __future__ import annotations

from ..i18n import today
from ..matters.models import Matter
from ..matters.queries import is_overdue
from ..units.models import Unit


def unit_json(unit: Unit) -> dict:
    return {"code": unit.code, "name": unit.name, "name_en": unit.name_en,
            "kind": unit.kind.value, "parent": unit.parent.code if unit.parent else None}


def matter_json(matter: Matter) -> dict:
    return {
        "number": matter.number,
        "title": matter.title,
        "title_en": matter.title_en,
        "description": matter.description,
        "key_issue": matter.key_issue.number if matter.key_issue else None,
        "lead_unit": matter.lead_unit.code if matter.lead_unit else None,
        "co_units": [u.code for u in matter.co_units],
        "responsible_person": matter.responsible_person,
        "deadline": matter.deadline.isoformat() if matter.deadline else None,
        "status": matter.status.value,
        "progress": matter.progress,
        "overdue": is_overdue(matter, today()),
        "completed_on": matter.completed_on.isoformat() if matter.completed_on else None,
        "updated_at": matter.updated_at.isoformat(),
        "source_quote": matter.source_quote,
        "version": matter.version,
    }
