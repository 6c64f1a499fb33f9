"""Reminders about field-work deadlines, queued in the notification outbox like the ledger's
(matters/reminders.py): an open difficulty, or a site-selection answer not given, due within
the window or late, reminds the staff of the unit it waits on.

Due soon: once per deadline and person; late: at most once per ISO week and person. By mail
when the account has an address, else a short text to its mobile. Flushes; the caller commits.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from ..accounts.models import User
from ..extensions import db
from ..matters.models import SupervisionNotice
from ..matters.reminders import NOTICE_REMINDER_DAYS
from ..matters.reminders import Kind as NoticeKind
from ..notifications.outbox import SMS_PREFIX, Draft, queue_new
from ..permissions import Role
from .fieldwork import DifficultyStatus, ProjectDifficulty, SiteSelection, SiteSelectionAnswer
from .models import KeyProject

MAIL_LOCALE = "zh_CN"  # reminders are written in the zone's language


class Kind:
    DIFFICULTY_DUE = "difficulty-due-soon"
    DIFFICULTY_LATE = "difficulty-overdue"
    SELECTION_DUE = "site-selection-due-soon"
    SELECTION_LATE = "site-selection-overdue"
    # a notice on a project is reminded as one on an item is (the same outbox kinds)
    NOTICE_DUE = NoticeKind.NOTICE_REPLY_DUE
    NOTICE_LATE = NoticeKind.NOTICE_LATE


def _staff_of(unit_id_column: Any):
    """Active staff of that unit with an email address or a mobile."""
    return and_(User.unit_id == unit_id_column, User.role == Role.STAFF,
                User.is_active.is_(True),
                or_(and_(User.email.is_not(None), User.email != ""),
                    and_(User.mobile.is_not(None), User.mobile != "")))


def _url(endpoint: str, **values) -> str:
    if current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=True, **values)
    adapter = current_app.url_map.bind(
        "localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    return adapter.build(endpoint, values)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _week(day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _draft(row: Any, *, today: dt.date, what: str, item: str, url: str, kinds: tuple[str, str],
           item_key: str) -> Draft:
    days = (row.deadline - today).days
    if days < 0:
        kind = kinds[1]
        key = f"{kind}:{item_key}:{row.deadline.isoformat()}:{row.user_id}:{_week(today)}"
        state = ngettext("Overdue by %(num)d day.", "Overdue by %(num)d days.", -days)
    else:
        kind = kinds[0]
        key = f"{kind}:{item_key}:{row.deadline.isoformat()}:{row.user_id}"
        state = (_("Due today.") if days == 0 else
                 ngettext("%(num)d day left.", "%(num)d days left.", days))
    subject = _clip(f"{state} {what}: {row.project_name}", 255)
    email = (row.email or "").strip()
    if email:
        body = "\n".join([
            f"{what}: {row.project_name}", item,
            _("Deadline: %(date)s", date=format_date(row.deadline, "long")), state,
            _("Open the item: %(url)s", url=url), "",
            _("The Service Desk sends this reminder to the staff of the unit the key project's "
              "item waits on; reminders stop when your unit has answered.")])
        return Draft(kind, email, subject, body, key)
    text = "\n".join([subject, _("Open the item: %(url)s", url=url)])
    return Draft(kind, f"{SMS_PREFIX}{row.mobile.strip()}", subject, text, key)


def queue_fieldwork_reminders(*, today: dt.date, due_soon_days: int) -> int:
    """Queue reminders for open difficulties and pending site-selection answers due within
    ``due_soon_days`` or late, and for unanswered supervision notices on projects (their reply
    date, as notices on items are reminded); returns how many new outbox rows were queued."""
    horizon = today + dt.timedelta(days=due_soon_days)
    difficulties = db.session.execute(
        select(ProjectDifficulty.id, ProjectDifficulty.description, ProjectDifficulty.deadline,
               KeyProject.name.label("project_name"), User.id.label("user_id"), User.email,
               User.mobile)
        .join(KeyProject, KeyProject.id == ProjectDifficulty.project_id)
        .join(User, _staff_of(ProjectDifficulty.unit_id))
        .where(ProjectDifficulty.status == DifficultyStatus.OPEN,
               ProjectDifficulty.deadline <= horizon, KeyProject.is_synthetic.is_(False))
        .order_by(ProjectDifficulty.deadline, ProjectDifficulty.id, User.id)).all()
    answers = db.session.execute(
        select(SiteSelectionAnswer.id, SiteSelection.id.label("selection_id"),
               SiteSelection.deadline, KeyProject.name.label("project_name"),
               User.id.label("user_id"), User.email, User.mobile)
        .join(SiteSelection, SiteSelection.id == SiteSelectionAnswer.selection_id)
        .join(KeyProject, KeyProject.id == SiteSelection.project_id)
        .join(User, _staff_of(SiteSelectionAnswer.unit_id))
        .where(SiteSelectionAnswer.answer.is_(None), SiteSelection.deadline <= horizon,
               KeyProject.is_synthetic.is_(False))
        .order_by(SiteSelection.deadline, SiteSelectionAnswer.id, User.id)).all()
    notices = db.session.execute(
        select(SupervisionNotice.id, SupervisionNotice.body,
               SupervisionNotice.reply_due.label("deadline"),
               KeyProject.name.label("project_name"), User.id.label("user_id"), User.email,
               User.mobile)
        .join(KeyProject, KeyProject.id == SupervisionNotice.project_id)
        .join(User, _staff_of(SupervisionNotice.unit_id))
        .where(SupervisionNotice.replied_at.is_(None),
               SupervisionNotice.reply_due <= today + dt.timedelta(days=NOTICE_REMINDER_DAYS),
               KeyProject.is_synthetic.is_(False))
        .order_by(SupervisionNotice.reply_due, SupervisionNotice.id, User.id)).all()
    if not difficulties and not answers and not notices:
        return 0
    with force_locale(MAIL_LOCALE):
        drafts = [
            *(_draft(r, today=today, what=_("Project difficulty"),
                     item=_clip(" ".join(r.description.split()), 300),
                     url=_url("fieldwork.difficulty_page", difficulty_id=r.id),
                     kinds=(Kind.DIFFICULTY_DUE, Kind.DIFFICULTY_LATE), item_key=str(r.id))
              for r in difficulties),
            *(_draft(r, today=today, what=_("Joint site selection"),
                     item=_("Your department's answer is awaited."),
                     url=_url("fieldwork.selection_page", selection_id=r.selection_id),
                     kinds=(Kind.SELECTION_DUE, Kind.SELECTION_LATE), item_key=str(r.id))
              for r in answers),
            *(_draft(r, today=today, what=_("Supervision notice"),
                     item=_clip(" ".join(r.body.split()), 300),
                     url=_url("supervision.notice", notice_id=r.id),
                     kinds=(Kind.NOTICE_DUE, Kind.NOTICE_LATE), item_key=f"notice-{r.id}")
              for r in notices)]
    return queue_new(drafts)
