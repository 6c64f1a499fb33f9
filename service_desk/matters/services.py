"""Writes to the ledger: progress updates with their rules, history and audit."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..audit.services import audit_record
from ..db import utcnow
from ..extensions import db
from ..i18n import today
from .models import Matter, MatterStatus, MatterUpdate


class MatterError(ValueError):
    """A rule of the ledger was broken; ``field`` names the form field when there is one."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class StaleEdit(MatterError):
    """Someone else saved the item since this form was opened."""

    def __init__(self, matter: Matter) -> None:
        super().__init__(_l("Someone else updated this item while you were editing. "
                            "Your changes were not saved; the current values are shown below."))
        self.matter = matter


def _snapshot(matter: Matter) -> dict:
    return {"status": matter.status.value, "progress": matter.progress,
            "version": matter.version}


def matter_update(
    *, matter: Matter, actor, expected_version: int, status: MatterStatus | None,
    progress: int | None, note: str, is_public: bool = False,
) -> MatterUpdate:
    """Change status/progress (or only add a note when both are None) and append history."""
    if expected_version != matter.version:
        raise StaleEdit(matter)
    note = (note or "").strip()
    if not note:
        raise MatterError(_l("Say what was done: the note is required."), "note")
    new_status = matter.status if status is None else status
    new_progress = matter.progress if progress is None else progress
    if not 0 <= new_progress <= 100:
        raise MatterError(_l("Progress must be a whole number from 0 to 100."), "progress")
    if new_status is MatterStatus.COMPLETED:
        new_progress = 100
    elif new_status is MatterStatus.NOT_STARTED and new_progress > 0:
        raise MatterError(_l("An item with progress cannot be “not started”."), "status")
    elif new_progress == 100:
        raise MatterError(_l("At %(full)s choose “completed” and describe the result.",
                                full="100%"), "progress")

    before = _snapshot(matter)
    update = MatterUpdate(
        matter_id=matter.id, author_id=getattr(actor, "id", None),
        unit_id=getattr(actor, "unit_id", None), status_before=matter.status,
        status_after=new_status, progress_before=matter.progress, progress_after=new_progress,
        note=note, is_public=is_public,
    )
    if new_status is MatterStatus.COMPLETED and matter.status is not MatterStatus.COMPLETED:
        matter.completed_on = today()
    elif new_status is not MatterStatus.COMPLETED:
        matter.completed_on = None
    matter.status = new_status
    matter.progress = new_progress
    matter.updated_at = utcnow()
    db.session.add(update)
    db.session.flush()  # the version check runs here: a concurrent save raises StaleDataError
    audit_record(actor=actor, action="matter.update", obj_type="matter", obj_id=matter.number,
                 before=before, after=_snapshot(matter) | {"note": note})
    return update
