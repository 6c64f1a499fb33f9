"""What a resident should bring to a service (shown on the booking pages), set by an
administrator on the service's settings page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..audit.services import audit_record
from ..base.inputs import storable_text
from ..extensions import db
from .models import Service

WHAT_TO_BRING_MAX = 1000


class HallInfoError(ValueError):
    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def what_to_bring_save(*, service: Service, text: str | None, actor) -> bool:
    """Store the list (empty clears it); False when nothing changed. Flushes, never commits."""
    text = (text or "").strip().replace("\r\n", "\n") or None
    if text is not None and not storable_text(text):
        raise HallInfoError(_l("The text holds characters that cannot be stored."))
    if text is not None and len(text) > WHAT_TO_BRING_MAX:
        raise HallInfoError(_l("Write at most %(n)d characters.", n=WHAT_TO_BRING_MAX))
    if text == service.what_to_bring:
        return False
    before = service.what_to_bring
    service.what_to_bring = text
    db.session.flush()
    audit_record(actor=actor, action="service.what_to_bring", obj_type="service",
                 obj_id=service.code, before={"what_to_bring": before},
                 after={"what_to_bring": text})
    return True
