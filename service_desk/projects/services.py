"""Writes to the key-projects ledger: a project's fields, its milestones, its task team, and
the exchange rates of the totals. Every change is audited (obj_type "key_project" carries
the project's version after the change: what a stale form is shown).

Services check state, not roles (the channel checks access first); they flush and never
commit. Keyword-only, they raise ProjectError naming the form field.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.models import User
from ..audit.models import AuditEvent
from ..audit.services import audit_record
from ..db import utcnow
from ..extensions import db
from ..permissions import Role
from ..units.models import Unit
from . import fieldwork_services
from .dates import period_start
from .models import (
    CATEGORIES,
    ORIGINS,
    DatePrecision,
    ExchangeRate,
    KeyProject,
    MilestoneKind,
    ProjectMilestone,
    ProjectStage,
    RecordKind,
    TaskTeamMember,
)

AUDIT_TYPE = "key_project"
MAX_MONEY = Decimal("9999999999999999.99")  # Numeric(18, 2)
# the fields a project form, the API's PATCH and the import may change
EDITABLE = ("name", "name_en", "record_kind", "investor", "origin", "category", "stage",
            "total_investment", "total_investment_currency", "investment_approximate",
            "registered_capital", "registered_capital_currency", "expected_sales",
            "expected_sales_currency", "expected_sales_approximate", "owner_unit_id",
            "leader", "leader_user_id")
_MONEY_FIELDS = ("total_investment", "registered_capital", "expected_sales")


class ProjectError(ValueError):
    """A rule of the ledger was broken; ``field`` names the form field when there is one."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class StaleProject(ProjectError):
    """Someone saved the project since this form (or If-Match) was read; ``changes`` lists
    the audit entries saved since, oldest first."""

    def __init__(self, project: KeyProject, changes: list[AuditEvent]) -> None:
        super().__init__(_l("Someone else updated this project while you were editing. "
                            "Your changes were not saved; the current values are shown below."))
        self.project = project
        self.changes = changes


def changes_since(project: KeyProject, version: int) -> list[AuditEvent]:
    """Audit entries of the project saved after the given version, oldest first."""
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == AUDIT_TYPE,
                                 AuditEvent.object_id == str(project.id))
        .order_by(AuditEvent.id))
    return [e for e in events if int((e.after or {}).get("version") or 0) > version]


def _plain(value: Any) -> Any:
    """An audit-friendly value (JSON): enums by value, dates and money as text."""
    if hasattr(value, "value"):
        return value.value
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


def _text(value: Any, field: str, limit: int) -> str | None:
    text = (str(value) if value is not None else "").strip()
    if len(text) > limit:
        raise ProjectError(_l("At most %(n)s characters.", n=limit), field)
    if "\x00" in text:
        raise ProjectError(_l("This text contains a character that cannot be stored."), field)
    return text or None


def _money(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ProjectError(_l("Enter an amount as a number, like 3000000."), field) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_MONEY:
        raise ProjectError(_l("Enter an amount from 0 up to 16 digits."), field)
    return amount.quantize(Decimal("0.01"))


def _currency(value: Any, field: str) -> str | None:
    code = (str(value) if value is not None else "").strip().upper()
    if not code:
        return None
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ProjectError(_l("A currency is a three-letter code, like CNY or USD."), field)
    return code


def _enum(enum_cls, value: Any, field: str):
    if value is None or value == "":
        return None
    if isinstance(value, enum_cls):
        return value
    try:
        return enum_cls(str(value))
    except ValueError:
        raise ProjectError(_l("Choose one of the listed values."), field) from None


def _clean(field: str, value: Any) -> Any:
    """One field's value as the database keeps it, or ProjectError."""
    if field == "name":
        text = _text(value, field, 200)
        if text is None:
            raise ProjectError(_l("A project needs a name."), field)
        return text
    if field in ("name_en", "investor"):
        return _text(value, field, 200)
    if field == "leader":
        return _text(value, field, 100)
    if field == "origin":
        origin = _text(value, field, 16)
        if origin is not None and origin not in ORIGINS:
            raise ProjectError(_l("Choose one of the listed values."), field)
        return origin
    if field == "category":
        category = _text(value, field, 32)
        if category is not None and category not in CATEGORIES:
            raise ProjectError(_l("Choose one of the listed values."), field)
        return category
    if field == "stage":
        return _enum(ProjectStage, value, field)
    if field == "record_kind":
        return _enum(RecordKind, value, field) or RecordKind.PROJECT
    if field in _MONEY_FIELDS:
        return _money(value, field)
    if field.endswith("_currency"):
        return _currency(value, field)
    if field.endswith("_approximate"):
        return bool(value)
    if field == "owner_unit_id":
        if value in (None, ""):
            return None
        unit = db.session.get(Unit, int(value)) if str(value).isdigit() else None
        if unit is None or not unit.is_active:
            raise ProjectError(_l("Choose a unit from the list."), field)
        return unit.id
    if field == "leader_user_id":
        if value in (None, ""):
            return None
        user = db.session.get(User, int(value)) if str(value).isdigit() else None
        if user is None or not user.is_active or user.role is not Role.LEADER:
            raise ProjectError(_l("Choose a district leader from the list."), field)
        return user.id
    raise ProjectError(_l("This field cannot be changed here."), field)


def _check_version(project: KeyProject, version: int | None) -> None:
    if version is None or version != project.version:
        raise StaleProject(project, changes_since(project, version or 0))


def _flush(project: KeyProject) -> None:
    """Flush; a concurrent save that got in first (version bumped) is a stale edit."""
    try:
        db.session.flush()
    except StaleDataError:
        # the caller rolls back (it owns the transaction)
        raise StaleProject(project, []) from None


def _touch(project: KeyProject) -> None:
    """Milestones and team are part of the project: changing them bumps its version."""
    project.updated_at = utcnow()


def project_update(project: KeyProject, *, actor, version: int | None,
                   changes: dict[str, Any]) -> list[str]:
    """Change the project's fields; returns the names of the fields that changed.

    Raises StaleProject when ``version`` is not the current one, ProjectError on bad input
    (all fields are checked before any is set)."""
    _check_version(project, version)
    unknown = [f for f in changes if f not in EDITABLE]
    if unknown:
        raise ProjectError(_l("This field cannot be changed here."), unknown[0])
    cleaned = {field: _clean(field, value) for field, value in changes.items()}
    for money in _MONEY_FIELDS:
        amount = cleaned.get(money, getattr(project, money))
        currency = cleaned.get(f"{money}_currency", getattr(project, f"{money}_currency"))
        if amount is not None and currency is None:
            raise ProjectError(_l("Give the currency of the amount."), f"{money}_currency")
    before, after = {}, {}
    for field, value in cleaned.items():
        if getattr(project, field) != value:
            before[field], after[field] = _plain(getattr(project, field)), _plain(value)
            setattr(project, field, value)
    if not after:
        return []
    _touch(project)
    _flush(project)
    audit_record(actor=actor, action="project.update", obj_type=AUDIT_TYPE, obj_id=project.id,
                 before=before, after={**after, "version": project.version})
    return list(after)


def _milestone_snapshot(m: ProjectMilestone) -> dict:
    return {"id": m.id, "kind": m.kind.value, "planned_on": _plain(m.planned_on),
            "precision": m.precision.value, "actual_on": _plain(m.actual_on),
            "actual_precision": _plain(m.actual_precision), "amount": _plain(m.amount),
            "currency": m.currency, "note": m.note}


def milestone_set(project: KeyProject, *, actor, kind: MilestoneKind | str,
                  milestone: ProjectMilestone | None = None, planned_on: dt.date | None,
                  precision: DatePrecision | str, actual_on: dt.date | None = None,
                  actual_precision: DatePrecision | str | None = None,
                  amount: Any = None, currency: str | None = None, note: str | None = None,
                  version: int | None = None) -> ProjectMilestone:
    """Add a milestone (``milestone`` None) or change one of this project's.

    Dates are kept at their precision (a month or quarter as its first day). Funds arrival
    carries an amount with its currency. An actual completion date starts the opening case
    (完工即开业). ``version``, when given, is checked like a project edit."""
    if version is not None:
        _check_version(project, version)
    if milestone is not None and milestone.project_id != project.id:
        raise ProjectError(_l("This milestone belongs to another project."))
    kind = _enum(MilestoneKind, kind, "kind")
    if kind is None:
        raise ProjectError(_l("Choose the kind of milestone."), "kind")
    precision = _enum(DatePrecision, precision, "precision") or DatePrecision.DAY
    actual_precision = _enum(DatePrecision, actual_precision, "actual_precision")
    if planned_on is None and actual_on is None:
        raise ProjectError(_l("Give a planned date, an actual date, or both."), "planned_on")
    if actual_on is not None:
        actual_precision = actual_precision or DatePrecision.DAY
        actual_on = period_start(actual_on, actual_precision)
    else:
        actual_precision = None
    if planned_on is not None:
        planned_on = period_start(planned_on, precision)
    amount_value = _money(amount, "amount")
    currency_value = _currency(currency, "currency")
    if amount_value is not None and currency_value is None:
        raise ProjectError(_l("Give the currency of the amount."), "currency")
    if kind is not MilestoneKind.FUNDS_ARRIVAL and amount_value is not None:
        raise ProjectError(_l("Only a funds arrival carries an amount."), "amount")
    values = {"kind": kind, "planned_on": planned_on, "precision": precision,
              "actual_on": actual_on, "actual_precision": actual_precision,
              "amount": amount_value, "currency": currency_value if amount_value else None,
              "note": _text(note, "note", 2000)}
    before = _milestone_snapshot(milestone) if milestone is not None else None
    if milestone is None:
        milestone = ProjectMilestone(project_id=project.id, **values)
        db.session.add(milestone)
    else:
        for field, value in values.items():
            setattr(milestone, field, value)
    _touch(project)
    _flush(project)
    after = _milestone_snapshot(milestone)
    if before == after:
        return milestone
    audit_record(actor=actor, action="project.milestone_set", obj_type=AUDIT_TYPE,
                 obj_id=project.id, before=before,
                 after={**after, "version": project.version})
    if kind is MilestoneKind.COMPLETION and actual_on is not None:
        fieldwork_services.opening_case_start(project=project, actor=actor)
    return milestone


def milestone_remove(project: KeyProject, *, actor, milestone: ProjectMilestone,
                     version: int | None = None) -> None:
    """``version``, when given, is checked like a project edit (StaleProject)."""
    if version is not None:
        _check_version(project, version)
    if milestone.project_id != project.id:
        raise ProjectError(_l("This milestone belongs to another project."))
    before = _milestone_snapshot(milestone)
    db.session.delete(milestone)
    _touch(project)
    _flush(project)
    audit_record(actor=actor, action="project.milestone_remove", obj_type=AUDIT_TYPE,
                 obj_id=project.id, before=before, after={"version": project.version})


def team_member_add(project: KeyProject, *, actor, unit_id: int | None,
                    user_id: int | None = None, name: str | None = None,
                    duty: str | None = None) -> TaskTeamMember:
    """Put a unit (optionally a named person, with a duty) on the project's task team."""
    unit = db.session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None or not unit.is_active:
        raise ProjectError(_l("Choose a unit from the list."), "unit_id")
    if user_id is not None:
        user = db.session.get(User, user_id)
        if user is None or not user.is_active:
            raise ProjectError(_l("Choose a person from the list."), "user_id")
    member = TaskTeamMember(project_id=project.id, unit_id=unit.id, user_id=user_id,
                            name=_text(name, "name", 100), duty=_text(duty, "duty", 2000))
    db.session.add(member)
    _touch(project)
    _flush(project)
    audit_record(actor=actor, action="project.team_add", obj_type=AUDIT_TYPE, obj_id=project.id,
                 after={"member": member.id, "unit": unit.code, "user_id": user_id,
                        "name": member.name, "duty": member.duty, "version": project.version})
    return member


def team_member_remove(project: KeyProject, *, actor, member: TaskTeamMember,
                       version: int | None = None) -> None:
    """``version``, when given, is checked like a project edit (StaleProject)."""
    if version is not None:
        _check_version(project, version)
    if member.project_id != project.id:
        raise ProjectError(_l("This member belongs to another project's team."))
    before = {"member": member.id, "unit_id": member.unit_id, "user_id": member.user_id,
              "name": member.name, "duty": member.duty}
    db.session.delete(member)
    _touch(project)
    _flush(project)
    audit_record(actor=actor, action="project.team_remove", obj_type=AUDIT_TYPE,
                 obj_id=project.id, before=before, after={"version": project.version})


def rate_set(*, actor, currency: str, rate_to_cny: Any) -> ExchangeRate:
    """Set how many 元 one unit of ``currency`` is worth, for the live totals."""
    code = _currency(currency, "currency")
    if code is None or code == "CNY":
        raise ProjectError(_l("A currency is a three-letter code, like CNY or USD."), "currency")
    try:
        rate = Decimal(str(rate_to_cny))
    except (InvalidOperation, ValueError):
        rate = Decimal("NaN")
    if not rate.is_finite() or rate <= 0 or rate >= 1_000_000:
        raise ProjectError(_l("Enter the rate as a positive number, like 6.45."), "rate_to_cny")
    rate = rate.quantize(Decimal("0.000001"))
    found = db.session.get(ExchangeRate, code)
    before = {"rate_to_cny": str(found.rate_to_cny)} if found else None
    if found is None:
        found = ExchangeRate(currency=code, rate_to_cny=rate)
        db.session.add(found)
    found.rate_to_cny, found.set_at = rate, utcnow()
    found.set_by_user_id = getattr(actor, "id", None)
    db.session.flush()
    audit_record(actor=actor, action="project.rate_set", obj_type="currency_rate", obj_id=code,
                 before=before, after={"rate_to_cny": str(rate)})
    return found
