"""Reminders: an open difficulty or a pending site-selection answer due soon or late reminds the
staff of the unit it waits on, through the outbox, once per deadline (late: once a week)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from service_desk.accounts.models import User
from service_desk.base.calendar import add_working_days, today
from service_desk.extensions import db
from service_desk.notifications.models import Notification
from service_desk.projects.fieldwork import ProjectDifficulty, SiteSelection
from service_desk.projects.fieldwork_reminders import queue_fieldwork_reminders
from service_desk.projects.fieldwork_services import (
    difficulty_add,
    difficulty_close,
    site_selection_request,
)
from service_desk.projects.models import KeyProject
from service_desk.units.models import Unit


def test_the_unit_a_difficulty_waits_on_is_reminded_once(app, seeded, make_user):
    make_user("staff", unit="natural-resources-planning-dept", username="land")
    make_user("staff", unit="construction-bureau", username="build")
    with app.app_context():
        for name, email, mobile in (("land", "land@example.cn", None), ("build", None, "13900001111")):
            db.session.execute(update(User).where(User.username == name)
                               .values(email=email, mobile=mobile))
        day = today()
        project = db.session.scalar(select(KeyProject).where(KeyProject.code == "hongrui-medical"))
        land = db.session.scalar(select(Unit.id).where(Unit.code == "natural-resources-planning-dept"))
        difficulty = difficulty_add(project=project, actor="test", description="用地指标尚未落实",
                                    unit_id=land, deadline=add_working_days(day, 20))
        site_selection_request(project=project, actor="test", deadline=None, note=None)
        db.session.commit()
        assert queue_fieldwork_reminders(today=day, due_soon_days=3) == 0  # not due yet
        db.session.execute(update(ProjectDifficulty).values(deadline=day + dt.timedelta(days=2)))
        db.session.execute(update(SiteSelection).values(deadline=day - dt.timedelta(days=1)))
        db.session.commit()
        # the land department: its difficulty (mail) and its site-selection answer (mail);
        # the construction bureau: its answer (a text); staff without an address: nothing
        assert queue_fieldwork_reminders(today=day, due_soon_days=3) == 3
        db.session.commit()
        assert queue_fieldwork_reminders(today=day, due_soon_days=3) == 0  # once
        rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
        assert sorted(r.kind for r in rows) == ["difficulty-due-soon", "site-selection-overdue",
                                                "site-selection-overdue"]
        mail = next(r for r in rows if r.kind == "difficulty-due-soon")
        assert mail.recipient == "land@example.cn"
        assert "用地指标尚未落实" in mail.body and "山东鸿瑞医疗器械产业园项目" in mail.subject
        assert f"/projects/difficulties/{difficulty.id}" in mail.body
        assert any(r.recipient == "sms:13900001111" for r in rows)
        # closed: no more reminders, even once late
        difficulty_close(difficulty=difficulty, actor="test", note="已解决", expected_version=1)
        db.session.execute(update(ProjectDifficulty).values(deadline=day - dt.timedelta(days=9)))
        db.session.commit()
        assert queue_fieldwork_reminders(today=day, due_soon_days=3) == 0


def test_notify_queues_the_fieldwork_reminders(app, seeded, make_user, runner):
    make_user("staff", unit="natural-resources-planning-dept", username="land")
    with app.app_context():
        db.session.execute(update(User).where(User.username == "land")
                           .values(email="land@example.cn"))
        project = db.session.scalar(select(KeyProject).where(KeyProject.code == "hongrui-medical"))
        land = db.session.scalar(select(Unit.id).where(Unit.code == "natural-resources-planning-dept"))
        difficulty_add(project=project, actor="test", description="用地", unit_id=land,
                       deadline=None)
        db.session.execute(update(ProjectDifficulty).values(deadline=today() - dt.timedelta(days=1)))
        db.session.commit()
    app.config["SMTP_URL"] = None
    result = runner.invoke(args=["notify"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        kinds = db.session.scalars(select(Notification.kind)).all()
        assert "difficulty-overdue" in kinds


def test_a_notice_on_a_project_reminds_the_addressed_unit_until_it_replies(app, seeded,
                                                                           make_user):
    from service_desk.matters.models import SupervisionNotice

    make_user("staff", unit="natural-resources-planning-dept", username="land")
    with app.app_context():
        db.session.execute(update(User).where(User.username == "land")
                           .values(email="land@example.cn"))
        project = db.session.scalar(select(KeyProject).where(KeyProject.code == "hongrui-medical"))
        land = db.session.scalar(select(Unit.id).where(Unit.code == "natural-resources-planning-dept"))
        notice = SupervisionNotice(project_id=project.id, unit_id=land, body="请尽快落实用地",
                                   reply_due=today() + dt.timedelta(days=10))
        db.session.add(notice)
        db.session.commit()
        assert queue_fieldwork_reminders(today=today(), due_soon_days=3) == 0  # not due yet
        notice.reply_due = today() - dt.timedelta(days=1)
        db.session.commit()
        assert queue_fieldwork_reminders(today=today(), due_soon_days=3) == 1
        db.session.commit()
        assert queue_fieldwork_reminders(today=today(), due_soon_days=3) == 0  # once a week
        row = db.session.scalar(select(Notification))
        assert row.kind == "notice-late" and row.recipient == "land@example.cn"
        assert "请尽快落实用地" in row.body and f"/supervision/notices/{notice.id}" in row.body
        notice.replied_at, notice.reply = notice.issued_at, "已落实"
        db.session.commit()
        assert queue_fieldwork_reminders(today=today() + dt.timedelta(days=7),
                                         due_soon_days=3) == 0  # answered: no more
