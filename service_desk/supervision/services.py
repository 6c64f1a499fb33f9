"""Supervision notices (督办单): issue to a unit with a reply date; the unit replies."""
from __future__ import annotations

import datetime as dt
import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import Role, User
from ..audit.services import audit_record
from ..base.calendar import today
from ..db import utcnow
from ..extensions import db
from ..matters.models import Matter, SupervisionNotice, UpdateKind
from ..matters.services import MatterError, history_add
from ..notifications.outbox import queue_mail
from ..units.models import Unit

NOTICE_ISSUED = "notice-issued"  # the outbox row's kind


class NoticeState(enum.Enum):
    OPEN = "open"
    REPLIED = "replied"
    LATE = "late"


def notice_state(notice: SupervisionNotice, on: dt.date) -> NoticeState:
    """Derived, never stored: replied, late (no reply past the date), or open."""
    if notice.replied_at is not None:
        return NoticeState.REPLIED
    return NoticeState.LATE if on > notice.reply_due else NoticeState.OPEN


def notice_issue(*, matter: Matter, unit: Unit, actor, body: str,
                 reply_due: dt.date | None) -> SupervisionNotice:
    body = (body or "").strip()
    if not body:
        raise MatterError(_l("Write what the unit must do."), "body")
    if reply_due is None:
        raise MatterError(_l("Enter the reply date, for example 2021-12-31."), "reply_due")
    if reply_due < today():
        raise MatterError(_l("The reply date cannot be in the past."), "reply_due")
    notice = SupervisionNotice(matter_id=matter.id, unit_id=unit.id, issued_by_id=actor.id,
                               body=body, reply_due=reply_due)
    db.session.add(notice)
    db.session.flush()
    history_add(matter=matter, actor=actor, kind=UpdateKind.NOTICE,
                note=f"{unit.name} · {reply_due.isoformat()}: {body}")
    _notify_unit(notice=notice, matter=matter, unit=unit)
    audit_record(actor=actor, action="notice.issue", obj_type="matter", obj_id=matter.number,
                 after={"notice": notice.id, "unit": unit.code, "reply_due": reply_due.isoformat(),
                        "body": body})
    return notice


def _notify_unit(*, notice: SupervisionNotice, matter: Matter, unit: Unit) -> None:
    """Tell the unit's staff at once, through the outbox (sent by `service-desk notify`)."""
    from flask_babel import force_locale, gettext

    staff = db.session.scalars(select(User).where(
        User.unit_id == unit.id, User.role == Role.STAFF, User.is_active.is_(True),
        User.email.is_not(None)))
    with force_locale("zh_CN"):
        subject = gettext("Supervision notice on item %(number)s", number=matter.number)
        body = gettext("A supervision notice was issued on item %(number)s “%(title)s”. "
                       "Reply by %(date)s: %(body)s",
                       number=matter.number, title=matter.title,
                       date=notice.reply_due.isoformat(), body=notice.body)
    for user in staff:
        queue_mail(kind=NOTICE_ISSUED, to=user.email, subject=subject, body=body,
                   dedupe_key=f"{NOTICE_ISSUED}:{notice.id}:{user.id}")


def notice_reply(*, notice: SupervisionNotice, matter: Matter, actor, reply: str) -> None:
    reply = (reply or "").strip()
    if not reply:
        raise MatterError(_l("Write your reply."), "reply")
    if notice.replied_at is not None:
        raise MatterError(_l("This notice has already been answered."))
    late = today() > notice.reply_due
    notice.reply, notice.replied_at, notice.replied_by_id = reply, utcnow(), actor.id
    history_add(matter=matter, actor=actor, kind=UpdateKind.NOTICE_REPLY, note=reply)
    db.session.flush()
    audit_record(actor=actor, action="notice.reply", obj_type="matter", obj_id=matter.number,
                 after={"notice": notice.id, "reply": reply, "late": late})
