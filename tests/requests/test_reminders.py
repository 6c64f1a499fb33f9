"""`service-desk notify` reminds residents of appointments within REMINDER_HOURS, once."""
from __future__ import annotations

import datetime as dt

from flask_babel import force_locale, gettext
from sqlalchemy import select

from service_desk.extensions import db
from service_desk.notifications.models import Notification
from service_desk.requests.models import RequestStatus

from ..factories import add_booking

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def reminders(app):
    with app.app_context():
        return [(n.recipient, n.body) for n in db.session.scalars(
            select(Notification).where(Notification.kind == "appointment-reminder")
            .order_by(Notification.id))]


def test_notify_reminds_each_booking_within_a_day_once(app, seeded, runner, monkeypatch):
    monkeypatch.setitem(app.config, "HALL_ADDRESS", "长江路 1 号政务服务大厅")
    add_booking(app, reference="HALL1", start=NOW + dt.timedelta(hours=3), phone="13800000001")
    add_booking(app, service="home-visit", reference="HOME1", start=NOW + dt.timedelta(hours=20),
                phone="13800000002", address="海峰路 8 号")
    add_booking(app, reference="LATER", start=NOW + dt.timedelta(hours=30), phone="13800000003")
    add_booking(app, reference="GONE", start=NOW + dt.timedelta(hours=2), phone="13800000004",
                status=RequestStatus.CANCELLED)
    add_booking(app, reference="PAST", start=NOW - dt.timedelta(hours=2), phone="13800000005")

    first = runner.invoke(args=["notify"])
    assert first.exit_code == 0, first.output
    sent = reminders(app)
    assert [phone for phone, _ in sent] == ["sms:13800000001", "sms:13800000002"]
    (_, hall), (_, home) = sent
    assert "HALL1" in hall and "长江路 1 号政务服务大厅" in hall and "/my-booking" in hall
    assert "HOME1" in home and "海峰路 8 号" in home

    again = runner.invoke(args=["notify"])
    assert again.exit_code == 0, again.output
    assert len(reminders(app)) == 2


def test_the_hours_are_a_setting_and_the_hall_has_a_fallback(app, seeded, runner, monkeypatch):
    monkeypatch.setitem(app.config, "REMINDER_HOURS", 48)
    monkeypatch.setitem(app.config, "HALL_ADDRESS", None)
    add_booking(app, reference="LATER", start=NOW + dt.timedelta(hours=30))
    assert runner.invoke(args=["notify"]).exit_code == 0
    ((_, body),) = reminders(app)
    with app.test_request_context(), force_locale("zh_CN"):
        fallback = gettext("the government service hall")  # 服务大厅 once translated
    assert "LATER" in body and fallback in body and "None" not in body
