"""Hotline calls: a call noted by the operator, linked to the request it was about."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from ..audit.services import audit_record
from ..base.display import normalise_reference
from ..base.phones import mask_phone, normalise_mobile
from ..extensions import db
from .models import CallLog
from .references import request_id_of

_LANDLINE = re.compile(r"^\+?[\d\s-]{7,24}$")


class CallNoteError(ValueError):
    def __init__(self, errors: dict[str, object]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def caller_number(raw: str | None) -> str | None:
    """A mobile as 11 digits; a landline (elders often call from one) as its digits; or None."""
    mobile = normalise_mobile(raw)
    if mobile:
        return mobile
    text = (raw or "").strip()
    if not _LANDLINE.match(text):
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits if 7 <= len(digits) <= 20 else None


def call_note(*, operator, phone: str | None, name: str | None, note: str | None,
              reference: str | None = None) -> CallLog:
    """Note a call; linked to a request when a reference is given (it must exist)."""
    errors: dict[str, object] = {}
    number = caller_number(phone)
    if number is None:
        errors["caller_phone"] = _l("Enter the number the caller rang from, such as 13812345678 "
                                    "or 0631-5201234.")
    name = (name or "").strip() or None
    if name and len(name) > 50:
        errors["caller_name"] = _l("The name is too long (50 characters at most).")
    text = (note or "").strip()
    if not text:
        errors["note"] = _l("Note what the call was about.")
    elif len(text) > 4000:
        errors["note"] = _l("Please keep this to 4000 characters or fewer.")
    request_id = None
    ref = normalise_reference(reference)
    if ref:
        request_id = request_id_of(ref)
        if request_id is None:
            errors["reference"] = _l("No request has that reference. Check it, or leave it empty.")
    if errors:
        raise CallNoteError(errors)
    call = CallLog(operator_id=getattr(operator, "id", None), caller_phone=number,
                   caller_name=name, note=text, request_id=request_id)
    db.session.add(call)
    db.session.flush()
    audit_record(actor=operator, action="call.note", obj_type="call", obj_id=call.id,
                 after={"caller": mask_phone(number), "request": ref or None})
    return call
