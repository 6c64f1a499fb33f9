"""Supervision notices (督办单): issue to a unit with a reply date; the unit replies."""
from __future__ import annotations

import datetime as dt
import enum

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Role, User
from ..audit.services import audit_record
from ..base.calendar import today
from ..db import utcnow
from ..extensions import db
from ..formfields import DATE_MESSAGE
from ..matters.models import Matter, SupervisionNotice, UpdateKind
from ..matters.services import MatterError, history_add
from ..notifications.outbox import queue_mail
from ..units.models import Unit

NOTICE_ISSUED = "notice-issued"  # the outbox row's kind
NUMBER_TRIES = 5  # each retry means another notice took the number just read


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
        raise MatterError(DATE_MESSAGE, "reply_due")
    if reply_due < today():
        raise MatterError(_l("The reply date cannot be in the past."), "reply_due")
    notice = SupervisionNotice(matter_id=matter.id, unit_id=unit.id, issued_by_id=actor.id,
                               body=body, reply_due=reply_due)
    _add_numbered(notice, year=today().year)
    history_add(matter=matter, actor=actor, kind=UpdateKind.NOTICE,
                note=f"{unit.name} · {reply_due.isoformat()}: {body}")
    _notify_unit(notice=notice, matter=matter, unit=unit)
    audit_record(actor=actor, action="notice.issue", obj_type="matter", obj_id=matter.number,
                 after={"notice": notice.id, "year": notice.year, "serial": notice.serial,
                        "unit": unit.code, "reply_due": reply_due.isoformat(), "body": body})
    return notice


def _add_numbered(notice: SupervisionNotice, *, year: int) -> None:
    """Give the notice the year's next serial and insert it. Two notices issued at once may
    read the same next serial: the unique (year, serial) refuses the second insert, whose
    savepoint is rolled back, and it reads again (PostgreSQL's next statement sees the
    committed first; SQLite has one writer at a time)."""
    for _attempt in range(NUMBER_TRIES):
        last = db.session.scalar(select(func.max(SupervisionNotice.serial))
                                 .where(SupervisionNotice.year == year))
        notice.year, notice.serial = year, (last or 0) + 1
        try:
            with db.session.begin_nested():
                db.session.add(notice)
        except IntegrityError:
            continue
        return
    raise MatterError(_l("Many notices are being issued at this moment: please try again."))


def notice_number(notice: SupervisionNotice) -> str:
    """督办〔2026〕第12号 in Chinese; what the lists, the document and the mail show."""
    return gettext("Notice %(year)d No. %(serial)d", year=notice.year, serial=notice.serial)


def _notify_unit(*, notice: SupervisionNotice, matter: Matter, unit: Unit) -> None:
    """Tell the unit's staff at once, through the outbox (sent by `service-desk notify`)."""
    from flask_babel import force_locale

    staff = db.session.scalars(select(User).where(
        User.unit_id == unit.id, User.role == Role.STAFF, User.is_active.is_(True),
        User.email.is_not(None)))
    with force_locale("zh_CN"):
        number = notice_number(notice)
        subject = gettext("Supervision notice %(notice)s on item %(number)s", notice=number,
                          number=matter.number)
        body = gettext("Supervision notice %(notice)s was issued on item %(number)s “%(title)s”. "
                       "Reply by %(date)s: %(body)s", notice=number,
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
