"""Writes to the ledger: progress, notes, extension requests, with history and audit.

Services flush and never commit; the view or CLI command commits once.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import audit_record
from ..base.calendar import today
from ..base.inputs import storable_int
from ..db import utcnow
from ..extensions import db
from ..formfields import DATE_MESSAGE
from .models import (
    DeadlineExtension,
    ExtensionStatus,
    Matter,
    MatterStatus,
    MatterUpdate,
    UpdateKind,
)


class MatterError(ValueError):
    """A rule of the ledger was broken; ``field`` names the form field when there is one."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


VERSION_MESSAGE = _l("This form does not carry a version of this item: open the item again "
                     "and make your change there.")


class StaleEdit(MatterError):
    """Someone else saved the item since this form was opened; ``changes`` says what they did."""

    def __init__(self, matter: Matter, changes: list[MatterUpdate]) -> None:
        super().__init__(_l("Someone else updated this item while you were editing. "
                            "Your changes were not saved; the current values are shown below."))
        self.matter = matter
        self.changes = changes


def _snapshot(matter: Matter) -> dict:
    return {"status": matter.status.value, "progress": matter.progress,
            "deadline": matter.deadline.isoformat() if matter.deadline else None,
            "version": matter.version}


def changes_since(matter_id: int, version: int) -> list[MatterUpdate]:
    """History entries saved after the given version of the item, oldest first."""
    return list(db.session.scalars(
        select(MatterUpdate).where(MatterUpdate.matter_id == matter_id,
                                   MatterUpdate.matter_version > version)
        .order_by(MatterUpdate.id)))


def status_progress(*, status_now: MatterStatus, progress_now: int,
                    status: MatterStatus | None, progress: int | None) -> tuple[MatterStatus, int]:
    """The status and progress an item takes when asked for ``status`` and ``progress``
    (None keeps the current value): the one rule for the web form, the API and the import.

    Progress is a whole number from 0 to 100; completed (已完成) means 100, and a completed
    item's progress changes only with its status; an item with progress is not "not started";
    100% is "completed". Raises MatterError naming the field ("status" or "progress").
    """
    new_status = status_now if status is None else status
    new_progress = progress_now if progress is None else progress
    if not 0 <= new_progress <= 100:
        raise MatterError(_l("Progress must be a whole number from 0 to 100."), "progress")
    if new_status is MatterStatus.COMPLETED:
        if status is None and progress is not None and progress != 100:
            # lowering progress alone would silently be lost to the 100 below
            raise MatterError(_l("This item is completed (已完成): to lower its progress, "
                                 "change its status too."), "progress")
        return new_status, 100
    if new_status is MatterStatus.NOT_STARTED and new_progress > 0:
        raise MatterError(_l("An item with progress cannot be “not started”."), "status")
    if new_progress == 100:
        raise MatterError(_l("At %(full)s choose “completed” and describe the result.",
                             full="100%"), "progress")
    return new_status, new_progress


def completion_date(*, status_before: MatterStatus | None, status_after: MatterStatus,
                    completed_on: dt.date | None) -> dt.date | None:
    """Today when an item becomes completed, kept while it stays so, None once reopened."""
    if status_after is not MatterStatus.COMPLETED:
        return None
    return completed_on if status_before is MatterStatus.COMPLETED else today()


def history_add(*, matter: Matter, actor, kind: UpdateKind, note: str, is_public: bool = False,
                status_before: MatterStatus | None = None, progress_before: int | None = None,
                bumps_version: bool = False) -> MatterUpdate:
    """Append one history entry; ``bumps_version`` when the item itself changes in this flush."""
    entry = MatterUpdate(
        matter_id=matter.id, author_id=getattr(actor, "id", None),
        unit_id=getattr(actor, "unit_id", None), kind=kind, note=note, is_public=is_public,
        status_before=status_before,
        status_after=matter.status if status_before is not None else None,
        progress_before=progress_before,
        progress_after=matter.progress if progress_before is not None else None,
        matter_version=matter.version + 1 if bumps_version else matter.version,
    )
    db.session.add(entry)
    return entry


def matter_update(
    *, matter: Matter, actor, expected_version: int, status: MatterStatus | None,
    progress: int | None, note: str, is_public: bool = False,
) -> MatterUpdate:
    """Change status/progress (or only add a note when both are None) and append history."""
    if not storable_int(expected_version):  # no version can be that: never sent to SQL
        raise MatterError(VERSION_MESSAGE, "version")
    if expected_version != matter.version:
        raise StaleEdit(matter, changes_since(matter.id, expected_version))
    note = (note or "").strip()
    if not note:
        raise MatterError(_l("Say what was done: the note is required."), "note")
    new_status, new_progress = status_progress(status_now=matter.status,
                                               progress_now=matter.progress,
                                               status=status, progress=progress)

    before = _snapshot(matter)
    status_before, progress_before = matter.status, matter.progress
    matter.completed_on = completion_date(status_before=status_before, status_after=new_status,
                                          completed_on=matter.completed_on)
    matter.status = new_status
    matter.progress = new_progress
    matter.updated_at = utcnow()
    kind = UpdateKind.NOTE if status is None and progress is None else UpdateKind.PROGRESS
    update = history_add(matter=matter, actor=actor, kind=kind, note=note, is_public=is_public,
                         status_before=status_before, progress_before=progress_before,
                         bumps_version=True)
    db.session.flush()  # the version check runs here: a concurrent save raises StaleDataError
    audit_record(actor=actor, action="matter.update", obj_type="matter", obj_id=matter.number,
                 before=before, after=_snapshot(matter) | {"note": note})
    return update


def extension_request(*, matter: Matter, actor, requested_deadline: dt.date | None,
                      reason: str) -> DeadlineExtension:
    """Ask to move the deadline; the current (and original) deadline stays until approved."""
    reason = (reason or "").strip()
    if not reason:
        raise MatterError(_l("Give the reason for the extension."), "reason")
    if requested_deadline is None:
        raise MatterError(DATE_MESSAGE, "requested_deadline")
    floor = max(filter(None, [matter.deadline, today()]))
    if requested_deadline <= floor:
        raise MatterError(_l("The new deadline must be later than %(date)s.", date=floor.isoformat()),
                          "requested_deadline")
    if matter.status is MatterStatus.COMPLETED:
        raise MatterError(_l("This item is completed: it needs no extension."))
    pending = db.session.scalar(select(DeadlineExtension.id).where(
        DeadlineExtension.matter_id == matter.id,
        DeadlineExtension.status == ExtensionStatus.PENDING))
    if pending is not None:
        raise MatterError(_l("An extension request for this item is already waiting for a decision."))
    extension = DeadlineExtension(
        matter_id=matter.id, unit_id=matter.lead_unit_id, requested_by_id=actor.id,
        current_deadline=matter.deadline, requested_deadline=requested_deadline, reason=reason)
    db.session.add(extension)
    history_add(matter=matter, actor=actor, kind=UpdateKind.EXTENSION_REQUEST,
                note=f"{requested_deadline.isoformat()}: {reason}")
    db.session.flush()
    audit_record(actor=actor, action="extension.request", obj_type="matter", obj_id=matter.number,
                 after={"requested_deadline": requested_deadline.isoformat(), "reason": reason,
                        "current_deadline": matter.deadline.isoformat() if matter.deadline else None})
    return extension


def extension_decide(*, extension: DeadlineExtension, matter: Matter, actor, approve: bool,
                     reason: str) -> None:
    """Approve (the deadline moves; the original is kept) or refuse, always with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise MatterError(_l("Give the reason for your decision."), "decision_reason")
    if extension.status is not ExtensionStatus.PENDING:
        raise MatterError(_l("This request has already been decided."))
    before = _snapshot(matter)
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    extension.decided_by_id, extension.decided_at = actor.id, utcnow()
    extension.decision_reason = reason
    verdict = "approved" if approve else "refused"
    if approve:
        if matter.original_deadline is None:
            matter.original_deadline = matter.deadline
        matter.deadline = extension.requested_deadline
        matter.updated_at = utcnow()
    history_add(matter=matter, actor=actor, kind=UpdateKind.EXTENSION_DECISION,
                note=f"{verdict} {extension.requested_deadline.isoformat()}: {reason}",
                bumps_version=approve)
    db.session.flush()
    audit_record(actor=actor, action=f"extension.{verdict}", obj_type="matter",
                 obj_id=matter.number, before=before, after=_snapshot(matter) | {"reason": reason})
