"""Rating a finished service (好差评) and rectifying a bad rating (差评整改).

Plain keyword-only functions that flush and never commit; the caller commits once. Who may
act is checked by the caller (permissions.py); what may happen is decided here. Every change
writes an event on the request's history and an audit record.
"""
from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.services import audit_record
from ..base.calendar import deadline_after, zone
from ..db import utcnow
from ..extensions import db
from ..requests.history import history_add
from ..requests.models import RequestStatus, ServiceRequest
from .models import (
    BAD_LEVELS,
    Rating,
    RatingLevel,
    RatingSource,
    Rectification,
    RectificationStatus,
)

COMMENT_MAX = 500
NOTE_MAX = 2000
DEFAULT_RECTIFICATION_DAYS = 5
# a service counts as finished, and can be rated, in these states
RATEABLE_STATUSES = (RequestStatus.COMPLETED, RequestStatus.RESOLVED, RequestStatus.CALLED_BACK)


class RatingError(ValueError):
    """A refused rating or rectification step, with a message and the form field at fault."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotRateable(RatingError):
    def __init__(self) -> None:
        super().__init__(_l("This service is not finished yet: it can be rated once it is "
                            "completed."))


class AlreadyRated(RatingError):
    def __init__(self) -> None:
        super().__init__(_l("This service has already been rated. Each service is rated once."))


class StaleRectification(RatingError):
    def __init__(self) -> None:
        super().__init__(_l("This rectification was changed meanwhile by someone else. Its "
                            "current state is shown below; check it and try again."))


def level_of(raw) -> RatingLevel:
    """1–5 from a form or JSON value; a bool, a float or anything outside 1–5 is refused."""
    if isinstance(raw, bool):
        raw = None
    if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        raw = int(raw.strip())
    if isinstance(raw, int) and 1 <= raw <= 5:
        return RatingLevel(raw)
    raise RatingError(_l("Choose one of the five levels, from very satisfied to very "
                         "dissatisfied."), "level")


def _text(value, *, field: str, limit: int, required_message=None) -> str | None:
    if value is not None and not isinstance(value, str):
        raise RatingError(_l("Write this as text."), field)
    text = (value or "").strip() or None
    if text is None and required_message is not None:
        raise RatingError(required_message, field)
    if text and len(text) > limit:
        raise RatingError(_l("This is too long: %(n)d characters at most (you wrote %(m)d).",
                             n=limit, m=len(text)), field)
    return text


def is_rateable(request: ServiceRequest) -> bool:
    return request.status in RATEABLE_STATUSES


def rating_of(request: ServiceRequest) -> Rating | None:
    return db.session.scalar(select(Rating).where(Rating.request_id == request.id))


def rectification_days() -> int:
    days = current_app.config.get("RECTIFICATION_DAYS", DEFAULT_RECTIFICATION_DAYS)
    return days if isinstance(days, int) and days > 0 else DEFAULT_RECTIFICATION_DAYS


def rating_give(*, request: ServiceRequest, level, comment: str | None, source: RatingSource,
                recorded_by=None, now: dt.datetime | None = None) -> Rating:
    """Store the resident's rating of a finished service; a bad one opens a rectification.

    Raises NotRateable, AlreadyRated or RatingError (field ``level`` or ``comment``). Who may
    record it (never the unit that served) is the caller's check.
    """
    now = now or utcnow()
    # the service's state first, so a second rating is told "already rated", whatever it says
    if not is_rateable(request):
        raise NotRateable()
    if rating_of(request) is not None:
        raise AlreadyRated()
    lvl = level_of(level)
    text = _text(comment, field="comment", limit=COMMENT_MAX)
    rating = Rating(request_id=request.id, level=int(lvl), comment=text, created_at=now,
                    unit_id=request.unit_id, service_id=request.service_id,
                    staff_id=request.served_by_id, channel=request.channel, source=source,
                    recorded_by_id=recorded_by.id if recorded_by else None)
    db.session.add(rating)
    try:
        # the UNIQUE on request_id settles two ratings racing each other
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise AlreadyRated() from exc
    history_add(request, action="rated", actor=recorded_by, at=now,
           note=f"{int(lvl)}" + (f": {text}" if text else ""))
    audit_record(actor=recorded_by, action="rating.give", obj_type="request",
                 obj_id=request.reference,
                 after={"level": int(lvl), "comment": text, "source": source.value})
    if lvl in BAD_LEVELS:
        rectification_open(rating=rating, request=request, now=now)
    return rating


def rectification_open(*, rating: Rating, request: ServiceRequest, now: dt.datetime) -> Rectification:
    """A bad rating: the unit must call back and act within N working days."""
    rect = Rectification(rating_id=rating.id, unit_id=rating.unit_id, opened_at=now,
                         due_at=deadline_after(now, rectification_days(), zone()),
                         status=RectificationStatus.OPEN)
    db.session.add(rect)
    db.session.flush()
    history_add(request, action="rectification_opened", at=now, note=rect.due_at.isoformat())
    audit_record(actor=None, action="rectification.open", obj_type="rectification",
                 obj_id=str(rect.id), after={"request": request.reference,
                                             "due_at": rect.due_at.isoformat()})
    return rect


def _check(rect: Rectification, expected_version: int | None,
           allowed: tuple[RectificationStatus, ...]) -> None:
    if expected_version is None or expected_version != rect.version:
        raise StaleRectification()
    if rect.status not in allowed:
        raise RatingError(_l("This step is not possible from where the rectification is now."))


def _request_of(rect: Rectification) -> ServiceRequest:
    return db.session.scalar(select(ServiceRequest).join(Rating, Rating.request_id ==
                                                         ServiceRequest.id)
                             .where(Rating.id == rect.rating_id))


def _flush() -> None:
    db.session.flush()  # the version check: a change that raced ours fails here


def rectification_callback(*, rect: Rectification, actor, note: str | None,
                           expected_version: int | None, now: dt.datetime | None = None) -> None:
    """回访: the unit called the resident back; what was said."""
    now = now or utcnow()
    _check(rect, expected_version, (RectificationStatus.OPEN,))
    text = _text(note, field="note", limit=NOTE_MAX,
                 required_message=_l("Note what the resident said on the call-back."))
    rect.called_back_at, rect.called_back_by_id, rect.callback_note = now, actor.id, text
    _flush()
    history_add(_request_of(rect), action="rectification_called_back", actor=actor, note=text, at=now)
    audit_record(actor=actor, action="rectification.callback", obj_type="rectification",
                 obj_id=str(rect.id), after={"note": text})


def rectification_close(*, rect: Rectification, actor, outcome: RectificationStatus,
                        note: str | None, expected_version: int | None,
                        now: dt.datetime | None = None) -> None:
    """Fixed, or cannot be fixed and the resident was told why; needs the call-back first."""
    now = now or utcnow()
    _check(rect, expected_version, (RectificationStatus.OPEN,))
    if outcome not in (RectificationStatus.FIXED, RectificationStatus.EXPLAINED):
        raise RatingError(_l("Say whether it was fixed or why it cannot be."), "outcome")
    if rect.called_back_at is None:
        raise RatingError(_l("Call the resident back first, and note what they said."), "outcome")
    text = _text(note, field="note", limit=NOTE_MAX,
                 required_message=_l("Write what the unit did (or why it cannot be fixed)."))
    rect.status, rect.action_note = outcome, text
    rect.closed_at, rect.closed_by_id = now, actor.id
    _flush()
    history_add(_request_of(rect), action=f"rectification_{outcome.value}", actor=actor, note=text,
           at=now)
    audit_record(actor=actor, action="rectification.close", obj_type="rectification",
                 obj_id=str(rect.id), before={"status": "open"},
                 after={"status": outcome.value, "note": text})


def rectification_appeal(*, rect: Rectification, actor, reason: str | None,
                         expected_version: int | None, now: dt.datetime | None = None) -> None:
    """The unit says the rating is mistaken or malicious; a supervisor decides."""
    now = now or utcnow()
    _check(rect, expected_version, (RectificationStatus.OPEN,))
    if rect.appealed_at is not None:
        raise RatingError(_l("An appeal was already decided for this rating; it cannot be "
                             "appealed again."), "reason")
    text = _text(reason, field="reason", limit=NOTE_MAX,
                 required_message=_l("Say why the rating is mistaken or malicious."))
    rect.status, rect.appeal_reason, rect.appealed_at = RectificationStatus.APPEALED, text, now
    _flush()
    history_add(_request_of(rect), action="rectification_appealed", actor=actor, note=text, at=now)
    audit_record(actor=actor, action="rectification.appeal", obj_type="rectification",
                 obj_id=str(rect.id), before={"status": "open"},
                 after={"status": "appealed", "reason": text})


def rectification_decide(*, rect: Rectification, actor, uphold: bool, reason: str | None,
                         expected_version: int | None, now: dt.datetime | None = None) -> None:
    """A supervisor upholds the appeal (the rating leaves the figures) or rejects it (the unit
    rectifies as before, by the same deadline)."""
    now = now or utcnow()
    _check(rect, expected_version, (RectificationStatus.APPEALED,))
    text = _text(reason, field="reason", limit=NOTE_MAX,
                 required_message=_l("Give the reason for the decision."))
    rect.decided_at, rect.decided_by_id, rect.decision_reason = now, actor.id, text
    rating = db.session.get(Rating, rect.rating_id)
    if uphold:
        rect.status = RectificationStatus.APPEAL_UPHELD
        rect.closed_at, rect.closed_by_id = now, actor.id
        rating.excluded = True
    else:
        rect.status = RectificationStatus.OPEN
    _flush()
    action = "appeal_upheld" if uphold else "appeal_rejected"
    history_add(_request_of(rect), action=f"rectification_{action}", actor=actor, note=text, at=now)
    audit_record(actor=actor, action=f"rectification.{action}", obj_type="rectification",
                 obj_id=str(rect.id), before={"status": "appealed"},
                 after={"status": rect.status.value, "reason": text,
                        "rating_excluded": rating.excluded})


def fix_rate(*, rect: Rectification, level, comment: str | None,
             now: dt.datetime | None = None) -> None:
    """The resident rates what the unit did about their bad rating (once, after closure)."""
    now = now or utcnow()
    if rect.status not in (RectificationStatus.FIXED, RectificationStatus.EXPLAINED):
        raise RatingError(_l("The unit has not finished dealing with your rating yet."))
    if rect.fix_level is not None:
        raise RatingError(_l("You have already rated how your rating was dealt with."))
    lvl = level_of(level)
    text = _text(comment, field="comment", limit=COMMENT_MAX)
    rect.fix_level, rect.fix_comment, rect.fix_rated_at = int(lvl), text, now
    _flush()
    history_add(_request_of(rect), action="rectification_rated", at=now,
           note=f"{int(lvl)}" + (f": {text}" if text else ""))
    audit_record(actor=None, action="rectification.fix_rate", obj_type="rectification",
                 obj_id=str(rect.id), after={"level": int(lvl), "comment": text})
