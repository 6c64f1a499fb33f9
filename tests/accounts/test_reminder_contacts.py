"""Contact details make reminders reach somebody: a staff account with only a mobile gets a
text, one with a mail address gets mail (never both), and `notify --dry-run` names the units
that have due items but nobody to remind."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from service_desk.accounts.models import User
from service_desk.base.calendar import today as local_today
from service_desk.extensions import db
from service_desk.matters.models import Matter, MatterStatus
from service_desk.matters.reminders import queue_reminders
from service_desk.notifications.models import Notification
from service_desk.units.models import Unit

from ..factories import matter_set

MONDAY = dt.date(2026, 3, 2)


def _staff(app, make_user, username: str, unit: str, *, email=None, mobile=None) -> None:
    make_user("staff", unit=unit, username=username)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        user.email, user.mobile = email, mobile
        db.session.commit()


def _overdue(app, number: str, day: dt.date) -> None:
    matter_set(app, number, deadline=day - dt.timedelta(days=3),
               status=MatterStatus.IN_PROGRESS, progress=40)


def test_a_mobile_only_account_gets_a_text_and_one_with_mail_gets_only_mail(
        app, seeded, make_user):
    _staff(app, make_user, "texted", "gov-service-centre", mobile="13812345678")
    _staff(app, make_user, "mailed", "gov-service-centre", email="m@example.gov.cn",
           mobile="13900001111")
    _staff(app, make_user, "nobody", "gov-service-centre")
    _overdue(app, "S03", MONDAY)  # led by gov-service-centre
    with app.app_context():
        assert queue_reminders(today=MONDAY, due_soon_days=7) == 2
        db.session.commit()
        rows = {r.recipient: r for r in db.session.scalars(select(Notification))}
    assert set(rows) == {"sms:13812345678", "m@example.gov.cn"}
    text = rows["sms:13812345678"]
    assert text.kind == "matter-overdue" and "S03" in text.body and "/matters/S03" in text.body
    assert len(text.body) < len(rows["m@example.gov.cn"].body)  # the short form for a phone


def test_dry_run_names_the_units_nobody_would_hear_from(app, runner, seeded, make_user):
    with app.app_context():
        day = local_today()
    _staff(app, make_user, "silent", "gov-service-centre")  # no mail, no mobile
    _staff(app, make_user, "reachable", "construction-bureau", mobile="13812345678")
    with app.app_context():  # the seed names S08's two bureaus with no lead: give it one here
        db.session.scalar(select(Matter).where(Matter.number == "S08")).lead_unit_id = \
            db.session.scalar(select(Unit.id).where(Unit.code == "sci-tech-bureau"))
        db.session.commit()
    for number in ("S03", "S08"):  # gov-service-centre; sci-tech-bureau has no staff at all
        _overdue(app, number, day)
    with app.app_context():
        construction = db.session.scalar(
            select(Matter.number).join(Unit, Unit.id == Matter.lead_unit_id)
            .where(Unit.code == "construction-bureau").limit(1))
    _overdue(app, construction, day)

    result = runner.invoke(args=["notify", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "would queue 1" in result.output  # the text to the reachable unit only
    assert "gov-service-centre" in result.output and "sci-tech-bureau" in result.output
    assert "construction-bureau" not in result.output
    with app.app_context():
        assert db.session.scalar(select(Notification.id)) is None  # nothing changed
