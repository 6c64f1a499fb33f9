"""Reminders about the ledger's deadlines, drafted here and queued in the notification outbox:
due-soon and overdue items, supervision notices whose reply is due or late.

Each reminder goes to one staff member once: by mail when the account has an address (the
whole message, delivered by `service-desk notify`), else as a text to its mobile (short; texts
wait in the outbox for an SMS gateway, as residents' do). One channel per person, so nobody
gets the same reminder twice, and the dedupe key is the same whichever channel carried it.
`units_without_contacts` names the units that would get nothing, for `notify --dry-run`.

`queue_reminders` only writes outbox rows (and flushes); `service-desk notify` commits them and
the outbox's sender delivers them. Each reminder has a dedupe key, so running it again queues
nothing new (see notifications/outbox.py for how two runs at once are kept apart).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select, union_all

from ..accounts.models import Role, User
from ..extensions import db
from ..notifications.outbox import SMS_PREFIX, Draft, queue_new
from ..units.models import Unit
from .models import Matter, SupervisionNotice
from .queries import overdue_or_due_soon_clause

# reminders are written in the zone's language, whatever the caller's locale
MAIL_LOCALE = "zh_CN"
# a notice whose reply is due within this many days (or late) reminds the unit
NOTICE_REMINDER_DAYS = 2


class Kind:
    """What a reminder is about: the outbox row's ``kind``."""

    DUE_SOON = "matter-due-soon"
    OVERDUE = "matter-overdue"
    NOTICE_REPLY_DUE = "notice-reply-due"
    NOTICE_LATE = "notice-late"


def _staff_of(unit_id_column: Any):
    """Join condition: active staff of that unit who have an email address or a mobile."""
    return and_(
        User.unit_id == unit_id_column,
        User.role == Role.STAFF,
        User.is_active.is_(True),
        or_(and_(User.email.is_not(None), User.email != ""),
            and_(User.mobile.is_not(None), User.mobile != "")),
    )


def _addressed(row: Any, kind: str, subject: str, body: str, key: str) -> Draft:
    """By mail when the account has an address; else a text to its mobile: the subject
    (which says what and how late) and the item's link, short enough for one or two texts."""
    email = (row.email or "").strip()
    if email:
        return Draft(kind, email, _clip(subject, 255), body, key)
    text = "\n".join([subject, _("Open the item: %(url)s", url=item_url(row.number))])
    return Draft(kind, f"{SMS_PREFIX}{row.mobile.strip()}", _clip(subject, 255), text, key)


def item_url(number: str) -> str:
    """The item's page: an absolute URL when SERVER_NAME is configured, else the path."""
    if current_app.config.get("SERVER_NAME"):
        return url_for("matters.detail", number=number, _external=True)
    adapter = current_app.url_map.bind(
        "localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    return adapter.build("matters.detail", {"number": number})


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _iso_week(day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _matter_draft(row: Any, *, today: dt.date) -> Draft:
    """One reminder about a matter's deadline (due soon or overdue) to one staff member."""
    number, title, deadline = row.number, row.title, row.deadline
    days = (deadline - today).days
    if days < 0:
        kind = Kind.OVERDUE
        key = f"{kind}:{row.matter_id}:{deadline.isoformat()}:{row.user_id}:{_iso_week(today)}"
        subject = ngettext("Overdue by %(num)d day: %(number)s %(title)s",
                           "Overdue by %(num)d days: %(number)s %(title)s",
                           -days, number=number, title=title)
        state = ngettext("Overdue by %(num)d day.", "Overdue by %(num)d days.", -days)
    else:
        kind = Kind.DUE_SOON
        key = f"{kind}:{row.matter_id}:{deadline.isoformat()}:{row.user_id}"
        if days == 0:
            subject = _("Due today: %(number)s %(title)s", number=number, title=title)
            state = _("Due today.")
        else:
            subject = ngettext("Due in %(num)d day: %(number)s %(title)s",
                               "Due in %(num)d days: %(number)s %(title)s",
                               days, number=number, title=title)
            state = ngettext("%(num)d day left.", "%(num)d days left.", days)
    body = "\n".join([
        _("Item: %(number)s %(title)s", number=number, title=title),
        _("Deadline: %(date)s", date=format_date(deadline, "long")),
        state,
        _("Open the item: %(url)s", url=item_url(number)),
        "",
        _("The Service Desk sends this reminder to the staff of the item's lead unit. "
          "Record progress on the item's page; reminders stop when it is completed."),
    ])
    return _addressed(row, kind, subject, body, key)


def _notice_draft(row: Any, *, today: dt.date) -> Draft:
    """One reminder about a supervision notice's reply date to one staff member."""
    number, title, due = row.number, row.title, row.reply_due
    days = (due - today).days
    if days < 0:
        kind = Kind.NOTICE_LATE
        subject = ngettext(
            "Supervision notice reply %(num)d day late: %(number)s %(title)s",
            "Supervision notice reply %(num)d days late: %(number)s %(title)s",
            -days, number=number, title=title)
        state = ngettext("The reply is %(num)d day late.", "The reply is %(num)d days late.",
                         -days)
    else:
        kind = Kind.NOTICE_REPLY_DUE
        if days == 0:
            subject = _("Supervision notice reply due today: %(number)s %(title)s",
                        number=number, title=title)
            state = _("The reply is due today.")
        else:
            subject = ngettext(
                "Supervision notice reply due in %(num)d day: %(number)s %(title)s",
                "Supervision notice reply due in %(num)d days: %(number)s %(title)s",
                days, number=number, title=title)
            state = ngettext("%(num)d day left to reply.", "%(num)d days left to reply.", days)
    body = "\n".join([
        _("Item: %(number)s %(title)s", number=number, title=title),
        _("Supervision notice: %(text)s", text=_clip(" ".join(row.notice_body.split()), 300)),
        _("Reply due: %(date)s", date=format_date(due, "long")),
        state,
        _("Open the item: %(url)s", url=item_url(number)),
        "",
        _("The Service Desk sends this reminder to the staff of the unit the supervision "
          "notice was issued to. Reply on the item's page."),
    ])
    key = f"{kind}:{row.notice_id}:{row.user_id}"
    return _addressed(row, kind, subject, body, key)


def _matter_rows(*, today: dt.date, due_soon_days: int) -> list[Any]:
    """Open, dated, real items due within the window or overdue, one row per recipient."""
    stmt = (
        select(Matter.id.label("matter_id"), Matter.number, Matter.title, Matter.deadline,
               User.id.label("user_id"), User.email, User.mobile)
        .join(User, _staff_of(Matter.lead_unit_id))
        .where(overdue_or_due_soon_clause(today, due_soon_days), Matter.is_synthetic.is_(False))
        .order_by(Matter.deadline, Matter.number, User.id)
    )
    return list(db.session.execute(stmt))


def _notice_rows(*, today: dt.date) -> list[Any]:
    """Unanswered notices whose reply is due soon or late, one row per recipient."""
    horizon = today + dt.timedelta(days=NOTICE_REMINDER_DAYS)
    stmt = (
        select(SupervisionNotice.id.label("notice_id"), SupervisionNotice.reply_due,
               SupervisionNotice.body.label("notice_body"), Matter.number, Matter.title,
               User.id.label("user_id"), User.email, User.mobile)
        .join(Matter, Matter.id == SupervisionNotice.matter_id)
        .join(User, _staff_of(SupervisionNotice.unit_id))
        .where(SupervisionNotice.replied_at.is_(None), SupervisionNotice.reply_due <= horizon)
        .order_by(SupervisionNotice.reply_due, SupervisionNotice.id, User.id)
    )
    return list(db.session.execute(stmt))


def queue_reminders(*, today: dt.date, due_soon_days: int) -> int:
    """Queue what is due today in the outbox; returns how many new rows were queued.

    - an open item whose deadline is within ``[today, today + due_soon_days]``: once per
      deadline to each active staff member (with an email or a mobile) of its lead unit;
      by mail, or as a text when the account has no address; an extension
      gives a new deadline, hence a new reminder;
    - an open item past its deadline: to the same people, at most once per ISO week;
    - an unanswered supervision notice whose reply is due within two days, or late: to the
      staff of the unit it was issued to, once for "due" and once for "late".

    Completed items, synthetic (load-test) items and staff with neither get nothing;
    residents are never written to. Four statements whatever the number of items (two
    reads, one look-up of existing keys, one multi-row insert; more only past thousands of
    rows). Flushes; the caller commits.
    """
    if due_soon_days < 0:
        raise ValueError("due_soon_days must not be negative")
    matter_rows = _matter_rows(today=today, due_soon_days=due_soon_days)
    notice_rows = _notice_rows(today=today)
    if not matter_rows and not notice_rows:
        return 0
    with force_locale(MAIL_LOCALE):
        drafts = [*(_matter_draft(row, today=today) for row in matter_rows),
                  *(_notice_draft(row, today=today) for row in notice_rows)]
    return queue_new(drafts)


def units_without_contacts(*, today: dt.date, due_soon_days: int) -> list[tuple[str, str, int]]:
    """(code, name, how many) of the units that have items due or overdue, or supervision
    notices whose reply is due, but no active staff account with a mail address or mobile:
    `queue_reminders` reaches nobody there. Worst first. One statement."""
    horizon = today + dt.timedelta(days=NOTICE_REMINDER_DAYS)
    due = union_all(
        select(Matter.lead_unit_id.label("unit_id"))
        .where(overdue_or_due_soon_clause(today, due_soon_days),
               Matter.is_synthetic.is_(False), Matter.lead_unit_id.is_not(None)),
        select(SupervisionNotice.unit_id.label("unit_id"))
        .where(SupervisionNotice.replied_at.is_(None), SupervisionNotice.reply_due <= horizon),
    ).subquery()
    reachable = exists().where(_staff_of(Unit.id))
    stmt = (select(Unit.code, Unit.name, func.count().label("items"))
            .join(due, due.c.unit_id == Unit.id)
            .where(~reachable)
            .group_by(Unit.id, Unit.code, Unit.name)
            .order_by(func.count().desc(), Unit.code))
    return [(row.code, row.name, row.items) for row in db.session.execute(stmt)]
