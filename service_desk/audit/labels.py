"""The audit trail in words of the page's language: each action, and each field of an event's
before and after. The audit knows no feature: actions and fields are named by the strings the
features record; tests/admin/test_audit_labels.py finds every action recorded in the code and
checks it has a label here. An unknown field is shown by its key."""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..base.calendar import local

ACTION_LABELS = {
    # accounts
    "user.create": _l("Account created"),
    "user.update": _l("Account changed"),
    "user.reactivate": _l("Account reactivated"),
    "user.deactivate": _l("Account deactivated"),
    "user.login": _l("Signed in"),
    "user.logout": _l("Signed out"),
    "user.locked": _l("Account locked after failed sign-ins"),
    "user.password_change": _l("Password changed"),
    "user.password_reset": _l("Password reset by an administrator"),
    "user.password_change_refused": _l("Password change refused"),
    "token.create": _l("API token created"),
    "token.revoke": _l("API token revoked"),
    "api_key.create": _l("Open311 key created"),
    "api_key.revoke": _l("Open311 key revoked"),
    # appointments and requests
    "appointment.book": _l("Appointment booked"),
    "appointment.reschedule": _l("Appointment moved"),
    "appointment.cancel": _l("Appointment cancelled"),
    "appointment.assign": _l("Appointment assigned to a staff member"),
    "appointment.move_by_staff": _l("Appointment moved by staff"),
    "appointment.arrive": _l("Resident arrived"),
    "appointment.complete": _l("Appointment completed"),
    "appointment.no_show": _l("Resident did not come"),
    "appointment.demo": _l("Demo appointment added"),
    "request.dispatch": _l("Request dispatched to a unit"),
    "request.accept": _l("Request accepted"),
    "request.handle": _l("Request being handled"),
    "request.resolve": _l("Request resolved"),
    "request.return": _l("Request returned"),
    "request.reassign": _l("Request reassigned"),
    "request.callback": _l("Resident called back"),
    "request.phone_search": _l("Requests searched by phone"),
    "request.phone_view": _l("A resident's phone number viewed"),
    "call.note": _l("Hotline call noted"),
    "call.request": _l("Request taken on a hotline call"),
    # ratings
    "rating.give": _l("Rating given"),
    "rectification.open": _l("Rectification opened"),
    "rectification.callback": _l("Rectification: resident called back"),
    "rectification.close": _l("Rectification closed"),
    "rectification.appeal": _l("Rectification appealed"),
    "rectification.appeal_upheld": _l("Appeal upheld"),
    "rectification.appeal_rejected": _l("Appeal rejected"),
    "rectification.fix_rate": _l("Rating corrected"),
    "satisfaction.export": _l("Ratings exported"),
    # the ledger and supervision
    "matter.update": _l("Item progress recorded"),
    "matter.import": _l("Item changed by a ledger import"),
    "ledger.import": _l("Ledger imported"),
    "key_issue.create": _l("Key issue created"),
    "extension.request": _l("Deadline extension asked for"),
    "extension.approved": _l("Deadline extension approved"),
    "extension.refused": _l("Deadline extension refused"),
    "notice.issue": _l("Supervision notice issued"),
    "notice.reply": _l("Supervision notice answered"),
    # the key-projects ledger
    "project.update": _l("Key project changed"),
    "project.milestone_set": _l("Project milestone set"),
    "project.milestone_remove": _l("Project milestone removed"),
    "project.team_add": _l("Task team member added"),
    "project.team_remove": _l("Task team member removed"),
    "project.rate_set": _l("Exchange rate set"),
    "project.create": _l("Key project created by an import"),
    "projects.import": _l("Project ledger imported"),
    "project.site_visit": _l("Site visit recorded"),
    "project.difficulty.add": _l("Project difficulty recorded"),
    "project.difficulty.close": _l("Project difficulty closed"),
    "project.site_selection.request": _l("Joint site selection asked for"),
    "project.site_selection.answer": _l("Joint site selection answered"),
    "project.opening_case.start": _l("Opening case started"),
    "project.opening_case.target": _l("Opening case target date changed"),
    "project.opening_case.item_add": _l("Approval added to the opening checklist"),
    "project.opening_case.item_remove": _l("Approval removed from the opening checklist"),
    "project.opening_case.item_done": _l("Approval on the opening checklist done"),
    # services, closures, messages, the system
    "service.settings": _l("Service settings changed"),
    "service.what_to_bring": _l("What to bring changed"),
    "service.demo_hours": _l("Demo opening hours set"),
    "closure.add": _l("Closure added"),
    "closure.remove": _l("Closure removed"),
    "closure.bookings": _l("Bookings moved or cancelled for a closure"),
    "outbox.notify": _l("Messages sent"),
    "outbox.retry": _l("Message queued again"),
    "database.backup": _l("Database backed up"),
    "database.restore": _l("Database restored"),
    "seed.load": _l("Seed data loaded"),
}

OBJECT_LABELS = {
    "api_key": _l("Open311 key"), "call": _l("Hotline call"), "closure": _l("Closure"),
    "database": _l("Database"), "key_issue": _l("Key issue"), "ledger": _l("Ledger"),
    "matter": _l("Item"), "notification": _l("Message"), "outbox": _l("Outbox"),
    "phone": _l("Phone number"), "rectification": _l("Rectification"), "request": _l("Request"),
    "satisfaction": _l("Ratings"), "service": _l("Service"), "user": _l("Account"),
    "token": _l("API token"),
    "key_project": _l("Key project"), "currency_rate": _l("Exchange rate"),
    "key_projects": _l("Project ledger"), "project_difficulty": _l("Project difficulty"),
    "project_site_selection": _l("Joint site selection"),
    "project_opening_case": _l("Opening case"),
}

FIELD_LABELS = {
    "action": _l("Action"), "active": _l("Active"), "is_active": _l("Active"),
    "assignee": _l("Assigned to"), "assignee_id": _l("Assigned to (account)"),
    "attempts": _l("Attempts"), "backend": _l("Text service"), "body": _l("Text"),
    "bytes": _l("Size (bytes)"), "caller": _l("Caller"), "cancelled": _l("Cancelled"),
    "channel": _l("Channel"), "closures": _l("Closures"), "comment": _l("Comment"),
    "created": _l("Added"), "current_deadline": _l("Current deadline"), "date": _l("Date"),
    "deadline": _l("Deadline"), "demo": _l("Demo"), "display_name": _l("Name"),
    "due_at": _l("Due"), "email": _l("Mail address"), "failed": _l("Failed"), "file": _l("File"),
    "format": _l("Format"), "from": _l("From"), "until": _l("Until"), "gave_up": _l("Given up"),
    "hours": _l("Opening hours"), "id": _l("Number"), "key_issues_created": _l("Key issues created"),
    "label": _l("Label"), "late": _l("Late"), "latest_note": _l("Latest progress"),
    "level": _l("Rating"), "locked_until": _l("Locked until"), "mobile": _l("Mobile"),
    "moved": _l("Moved"), "name": _l("Name"), "note": _l("Note"), "notice": _l("Notice"),
    "number": _l("Number"), "progress": _l("Progress (%)"), "queued": _l("Queued"),
    "rating_excluded": _l("Left out of the rating figures"), "reason": _l("Reason"),
    "rectification": _l("Rectification"), "replace": _l("Replace"), "reply": _l("Reply"),
    "reply_due": _l("Reply by"), "request": _l("Request"),
    "requested_deadline": _l("Requested deadline"), "results": _l("Results"),
    "role": _l("Role"), "satisfaction": _l("Satisfaction"), "sent": _l("Sent"),
    "serial": _l("Serial number"), "year": _l("Year"), "service": _l("Service"),
    "source": _l("Source"), "start": _l("Start"), "status": _l("Status"),
    "texts_failed": _l("Texts failed"), "texts_gave_up": _l("Texts given up"),
    "texts_held": _l("Texts held"), "texts_sent": _l("Texts sent"), "title": _l("Title"),
    "token": _l("Token"), "type": _l("Type"), "unchanged": _l("Unchanged"), "unit": _l("Unit"),
    "updated": _l("Changed"), "username": _l("User name"), "version": _l("Version"),
    "waiting": _l("Waiting"), "what_to_bring": _l("What to bring"),
    "duration_minutes": _l("Length (minutes)"), "capacity": _l("Places per time"),
    "book_ahead_days": _l("Days ahead residents may book"),
    "min_notice_minutes": _l("Least notice (minutes)"),
    "travel_buffer_minutes": _l("Travel time between visits (minutes)"),
    "dispatch_days": _l("Working days to resolve"),
    "max_active_per_phone_per_day": _l("Bookings per phone and day"),
}


def action_label(action: str) -> str:
    """The action in words; one recorded without a label is shown as stored."""
    return str(ACTION_LABELS.get(action, action))


def object_label(obj_type: str | None) -> str:
    return str(OBJECT_LABELS.get(obj_type, obj_type)) if obj_type else ""


@dataclass(frozen=True)
class DetailRow:
    key: str
    label: str
    labelled: bool  # False: no label, the key is shown (in code font)
    before: str | None  # None: not recorded before (only after)
    after: str | None


_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)")


def _shown(value: Any, words: Mapping[str, str]) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_shown(v, words)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_shown(v, words) for v in value)
    if isinstance(value, str) and _MOMENT.fullmatch(value):  # a stored UTC moment: the zone's
        return local(dt.datetime.fromisoformat(value)).strftime(
            "%Y-%m-%d %H:%M")
    return str(words.get(str(value), value))


def audit_details(before: dict | None, after: dict | None,
                  values: Mapping[str, Mapping[str, str]] | None = None) -> list[DetailRow]:
    """An event's fields, each labelled, with its value before and after; when both were
    recorded, only the fields that changed. ``values``: words for stored codes, by field
    (roles, channels, unit codes: the caller knows them, the audit does not)."""
    before, after, values = before or {}, after or {}, values or {}
    keys = list(dict.fromkeys([*before, *after]))
    if before and after:
        keys = [k for k in keys if before.get(k) != after.get(k)]
    rows = []
    for key in keys:
        label, words = FIELD_LABELS.get(key), values.get(key, {})
        rows.append(DetailRow(
            key=key, label=str(label) if label is not None else key, labelled=label is not None,
            before=_shown(before.get(key), words) if key in before else None,
            after=_shown(after.get(key), words) if key in after else None))
    return rows


def raw_json(value: dict | None) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
