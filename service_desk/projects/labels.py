"""Translated words of the key-projects ledger, and dates at the source's precision
("2021年4月", "2021年第一季度")."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .models import DatePrecision, MilestoneKind, ProjectStage, RecordKind

STAGE_LABELS = {
    ProjectStage.ATTRACTION: _l("Investment attraction"),
    ProjectStage.APPRAISAL: _l("Project appraisal"),
    ProjectStage.DUE_DILIGENCE: _l("Due diligence"),
    ProjectStage.APPROVAL: _l("Approval"),
    ProjectStage.LAND_SUPPLY: _l("Land supply"),
    ProjectStage.CONSTRUCTION: _l("Construction"),
    ProjectStage.OPENED: _l("In production or open"),
}

KIND_LABELS = {
    MilestoneKind.SIGNING: _l("Signing"),
    MilestoneKind.REGISTRATION: _l("Company registration"),
    MilestoneKind.FUNDS_ARRIVAL: _l("Funds arrival"),
    MilestoneKind.LAND_SUPPLY: _l("Land supplied"),
    MilestoneKind.CONSTRUCTION_START: _l("Construction start"),
    MilestoneKind.COMPLETION: _l("Completion"),
    MilestoneKind.OPENING: _l("Opening"),
}

PRECISION_LABELS = {
    DatePrecision.DAY: _l("To the day"),
    DatePrecision.MONTH: _l("To the month"),
    DatePrecision.QUARTER: _l("To the quarter"),
}

RECORD_KIND_LABELS = {
    RecordKind.PROJECT: _l("Key project"),
    RecordKind.ENTERPRISE: _l("Enterprise named in the article"),
}

ORIGIN_LABELS = {"domestic": _l("Domestic"), "foreign": _l("Foreign")}
CATEGORY_LABELS = {
    "manufacturing": _l("Manufacturing"),
    "cross_border_ecommerce": _l("Cross-border e-commerce"),
    "modern_services": _l("Modern services"),
}

ACTION_WORDS = {
    "project.update": _l("Project changed"),
    "project.milestone_set": _l("Milestone set"),
    "project.milestone_remove": _l("Milestone removed"),
    "project.team_add": _l("Added to the task team"),
    "project.team_remove": _l("Removed from the task team"),
}

_VALUE_WORDS = {**{k.value: v for k, v in STAGE_LABELS.items()},
                **{k.value: v for k, v in KIND_LABELS.items()},
                **{k.value: v for k, v in RECORD_KIND_LABELS.items()},
                **ORIGIN_LABELS, **CATEGORY_LABELS}


def change_words(action: str, after: dict | None, field_labels: dict) -> str:
    """One audited change in words: "Project changed: Stage 审批; Category 制造业"."""
    parts = []
    for key, value in (after or {}).items():
        if key in ("version", "id", "member", "unit_id", "user_id"):
            continue
        label = field_labels.get(key, key)
        shown = "—" if value is None or value == "" else _VALUE_WORDS.get(value, value)
        parts.append(f"{label} {shown}")
    head = str(ACTION_WORDS.get(action, action))
    return f"{head}: {'; '.join(parts)}" if parts else head


_QUARTERS = (_l("first quarter"), _l("second quarter"), _l("third quarter"),
             _l("fourth quarter"))


def date_at(day: dt.date | None, precision: DatePrecision | None) -> str:
    """A date as precise as it was given: "2021-04-15", "April 2021", "first quarter 2021"."""
    if day is None:
        return ""
    if precision is DatePrecision.QUARTER:
        return _("%(quarter)s %(year)s", quarter=_QUARTERS[(day.month - 1) // 3], year=day.year)
    if precision is DatePrecision.MONTH:
        return _("%(month)s/%(year)s", month=day.month, year=day.year)
    return day.isoformat()
