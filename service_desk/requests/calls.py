"""Hotline calls. A call is one record: the caller, every request booked or reported for
them during it, and the operator's note. An operator is on one call at a time: the call
starts with the first booking or report (or the note), later ones for the same caller join
it, and it ends when the operator notes it or starts on another caller's business."""
from __future__ import annotations

import datetime as dt
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..audit.services import audit_record
from ..base.display import normalise_reference
from ..base.phones import mask_phone, normalise_mobile
from ..db import utcnow
from ..extensions import db
from .models import CallLog, CallRequest, ServiceRequest
from .references import request_id_of

_LANDLINE = re.compile(r"^\+?[\d\s-]{7,24}$")
# a call left open (never noted) this long ago is over: a new booking starts a new call
CALL_OPEN_FOR = dt.timedelta(hours=2)


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


def call_open(*, operator, now: dt.datetime | None = None) -> CallLog | None:
    """The operator's call in progress, if any (started within ``CALL_OPEN_FOR``)."""
    now = now or utcnow()
    return db.session.scalar(
        select(CallLog).where(CallLog.operator_id == getattr(operator, "id", None),
                              CallLog.ended_at.is_(None), CallLog.at >= now - CALL_OPEN_FOR)
        .order_by(CallLog.at.desc(), CallLog.id.desc()).limit(1))


def _end_open_calls(operator, now: dt.datetime) -> None:
    db.session.execute(update(CallLog).where(CallLog.operator_id == getattr(operator, "id", None),
                                             CallLog.ended_at.is_(None))
                       .values(ended_at=now).execution_options(synchronize_session="fetch"))


def call_request_add(*, operator, caller: str | None, request: ServiceRequest, action: str,
                     now: dt.datetime | None = None) -> CallLog:
    """Record ``request`` (just booked or reported) in the operator's call with ``caller``
    (a mobile or landline; the resident's phone when not given or not a number): the call in
    progress with that caller, else a new one, which ends any other call left open."""
    now = now or utcnow()
    number = caller_number(caller) or request.resident_phone
    call = call_open(operator=operator, now=now)
    if call is None or call.caller_phone != number:
        _end_open_calls(operator, now)
        call = CallLog(operator_id=getattr(operator, "id", None), caller_phone=number,
                       note="", at=now)
        db.session.add(call)
        db.session.flush()
    db.session.add(CallRequest(call_id=call.id, request_id=request.id, action=action, at=now))
    db.session.flush()
    audit_record(actor=operator, action="call.request", obj_type="call", obj_id=call.id,
                 after={"caller": mask_phone(number), "request": request.reference,
                        "action": action})
    return call


def call_note(*, operator, phone: str | None, name: str | None, note: str | None,
              reference: str | None = None, now: dt.datetime | None = None) -> CallLog:
    """Note a call and end it; linked to a request when a reference is given (it must exist).
    The call in progress with the same caller is the one noted; any other open call ends."""
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
    now = now or utcnow()
    call = call_open(operator=operator, now=now)
    if call is None or call.caller_phone != number:
        _end_open_calls(operator, now)
        call = CallLog(operator_id=getattr(operator, "id", None), caller_phone=number, at=now)
        db.session.add(call)
    call.caller_name, call.note, call.request_id, call.ended_at = name, text, request_id, now
    db.session.flush()
    audit_record(actor=operator, action="call.note", obj_type="call", obj_id=call.id,
                 after={"caller": mask_phone(number), "request": ref or None})
    return call
