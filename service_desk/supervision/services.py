"""Supervision notices (督办单) on a ledger item or a key project: issue to a unit with a reply
date; the unit replies."""
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
from ..matters.models import Matter, SupervisionNotice, UpdateKind, notice_number
from ..matters.services import MatterError, history_add
from ..notifications.outbox import queue_mail
from ..projects.models import KeyProject
from ..projects.services import AUDIT_TYPE as PROJECT_AUDIT_TYPE
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


def _checked(body: str | None, reply_due: dt.date | None, on: dt.date) -> str:
    """The rules of every notice, whatever it targets: what to do, a reply date not past."""
    body = (body or "").strip()
    if not body:
        raise MatterError(_l("Write what the unit must do."), "body")
    if reply_due is None:
        raise MatterError(DATE_MESSAGE, "reply_due")
    if reply_due < on:
        raise MatterError(_l("The reply date cannot be in the past."), "reply_due")
    return body


def _issued(notice: SupervisionNotice, *, unit: Unit, actor, obj_type: str, obj_id,
            year: int) -> SupervisionNotice:
    """Number, mail the unit and audit a notice built for either target."""
    _add_numbered(notice, year=year)
    _notify_unit(notice=notice, unit=unit)
    audit_record(actor=actor, action="notice.issue", obj_type=obj_type, obj_id=obj_id,
                 after={"notice": notice.id, "year": notice.year, "serial": notice.serial,
                        "unit": unit.code, "reply_due": notice.reply_due.isoformat(),
                        "body": notice.body})
    return notice


def notice_issue(*, matter: Matter, unit: Unit, actor, body: str,
                 reply_due: dt.date | None) -> SupervisionNotice:
    body = _checked(body, reply_due, today())
    notice = SupervisionNotice(matter_id=matter.id, unit_id=unit.id, issued_by_id=actor.id,
                               body=body, reply_due=reply_due)
    notice.matter = matter  # what the mail names
    _issued(notice, unit=unit, actor=actor, obj_type="matter", obj_id=matter.number,
            year=today().year)
    history_add(matter=matter, actor=actor, kind=UpdateKind.NOTICE,
                note=f"{unit.name} · {reply_due.isoformat()}: {body}")
    return notice


def notice_issue_project(*, project: KeyProject, unit: Unit, actor, body: str,
                         reply_due: dt.date | None, today: dt.date) -> SupervisionNotice:
    """A notice on a key project (a late milestone, difficulty or site-selection answer).
    Projects keep no history of their own: the audit, as obj_type key_project, is its trail."""
    body = _checked(body, reply_due, today)
    notice = SupervisionNotice(project_id=project.id, unit_id=unit.id, issued_by_id=actor.id,
                               body=body, reply_due=reply_due)
    return _issued(notice, unit=unit, actor=actor, obj_type=PROJECT_AUDIT_TYPE,
                   obj_id=project.id, year=today.year)


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




def notice_project(notice: SupervisionNotice) -> KeyProject | None:
    """The key project a notice targets (None for a notice on an item): the notice holds only
    its id, as matters sit below projects."""
    return db.session.get(KeyProject, notice.project_id) if notice.project_id else None


def _target_words(notice: SupervisionNotice) -> tuple[str, str]:
    """The mail's subject and text, in the current locale, for the notice's target."""
    number = notice_number(notice)
    project = notice_project(notice)
    if project is not None:
        return (gettext("Supervision notice %(notice)s on key project %(code)s", notice=number,
                        code=project.code),
                gettext("Supervision notice %(notice)s was issued on key project %(code)s "
                        "“%(name)s”. Reply by %(date)s: %(body)s", notice=number,
                        code=project.code, name=project.name,
                        date=notice.reply_due.isoformat(), body=notice.body))
    matter = notice.matter
    return (gettext("Supervision notice %(notice)s on item %(number)s", notice=number,
                    number=matter.number),
            gettext("Supervision notice %(notice)s was issued on item %(number)s “%(title)s”. "
                    "Reply by %(date)s: %(body)s", notice=number,
                    number=matter.number, title=matter.title,
                    date=notice.reply_due.isoformat(), body=notice.body))


def _notify_unit(*, notice: SupervisionNotice, unit: Unit) -> None:
    """Tell the unit's staff at once, through the outbox (sent by `service-desk notify`)."""
    from flask_babel import force_locale

    staff = db.session.scalars(select(User).where(
        User.unit_id == unit.id, User.role == Role.STAFF, User.is_active.is_(True),
        User.email.is_not(None)))
    with force_locale("zh_CN"):
        subject, body = _target_words(notice)
    for user in staff:
        queue_mail(kind=NOTICE_ISSUED, to=user.email, subject=subject, body=body,
                   dedupe_key=f"{NOTICE_ISSUED}:{notice.id}:{user.id}")


def notice_reply(*, notice: SupervisionNotice, actor, reply: str,
                 matter: Matter | None = None) -> None:
    """The unit's reply, once. On an item it goes into the item's history; on a key project
    the audit (obj_type key_project) is the trail."""
    reply = (reply or "").strip()
    if not reply:
        raise MatterError(_l("Write your reply."), "reply")
    if notice.replied_at is not None:
        raise MatterError(_l("This notice has already been answered."))
    if notice.matter_id is not None and (matter is None or matter.id != notice.matter_id):
        raise ValueError("a notice on an item is answered with that item")
    late = today() > notice.reply_due
    notice.reply, notice.replied_at, notice.replied_by_id = reply, utcnow(), actor.id
    if matter is not None:
        history_add(matter=matter, actor=actor, kind=UpdateKind.NOTICE_REPLY, note=reply)
        obj_type, obj_id = "matter", matter.number
    else:
        obj_type, obj_id = PROJECT_AUDIT_TYPE, notice.project_id
    db.session.flush()
    audit_record(actor=actor, action="notice.reply", obj_type=obj_type, obj_id=obj_id,
                 after={"notice": notice.id, "reply": reply, "late": late})
