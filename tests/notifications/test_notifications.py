"""Reminders go through the outbox and out by SMTP, once; tested against a real local server.

The SMTP server is aiosmtpd's, listening on 127.0.0.1 on a free port in a thread; nothing is
mocked between `service-desk notify` and the messages it receives.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import html
import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import func, select

from service_desk.accounts.models import User
from service_desk.audit.models import AuditEvent
from service_desk.base.calendar import today as local_today
from service_desk.extensions import db
from service_desk.matters.models import Matter, MatterStatus, RecordOrigin, SupervisionNotice
from service_desk.matters.reminders import Kind, queue_reminders
from service_desk.notifications import outbox, sender
from service_desk.notifications.models import Notification, NotificationStatus
from service_desk.notifications.sender import MAX_ATTEMPTS, send_pending
from service_desk.units.models import Unit

from ..factories import login, matter_set

CENTRE = "gov-service-centre"
CENTRE_MAIL = "centre@example.gov.cn"
MONDAY = dt.date(2024, 3, 4)  # ISO week 2024-W10


# ---------- a real SMTP server ----------

@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class Inbox:
    """aiosmtpd handler: keeps what it accepts; can refuse some recipients or answer slowly."""

    def __init__(self, refuse: tuple[str, ...] = (), delay: float = 0.0):
        self.received: list[Received] = []
        self.logins: list[tuple[str, str]] = []
        self.refuse = set(refuse)
        self.delay = delay
        self.url = ""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.received.append(Received(
            envelope.mail_from, list(envelope.rcpt_tos),
            message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, password))
        # handled=False: aiosmtpd answers "535" itself when the credentials are wrong
        return AuthResult(success=(login, password) == ("desk", "p@ss:word"), handled=False)


class FreePortController(Controller):
    """aiosmtpd's Controller on port 0: learn the port the OS chose before connecting to it."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def smtp_server():
    """Start a local SMTP server: ``smtp_server(refuse=..., delay=..., auth=True)`` → Inbox."""
    controllers: list[Controller] = []

    def start(*, auth: bool = False, **options) -> Inbox:
        inbox = Inbox(**options)
        extra = {"authenticator": inbox.authenticate, "auth_require_tls": False} if auth else {}
        controller = FreePortController(inbox, hostname="127.0.0.1", port=0, **extra)
        controller.start()
        controllers.append(controller)
        inbox.url = f"smtp://127.0.0.1:{controller.port}"
        return inbox

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def closed_port():
    """A local port that is bound but not listening: connections are refused."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


# ---------- helpers ----------

def _staff(app, make_user, username: str, *, unit: str = CENTRE, email: str | None = None,
           active: bool = True, role: str = "staff") -> None:
    make_user(role, unit=unit if role == "staff" else None, username=username)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        user.email, user.is_active = email, active
        db.session.commit()


def _set_matter(app, number: str, *, deadline: dt.date | None,
                status: MatterStatus = MatterStatus.IN_PROGRESS) -> None:
    matter_set(app, number, deadline=deadline, status=status,
               progress=100 if status is MatterStatus.COMPLETED else 40)


def _today(app) -> dt.date:
    with app.app_context():
        return local_today()


def _title(app, number: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Matter.title).where(Matter.number == number))


def _rows(app) -> list[Notification]:
    with app.app_context():
        rows = list(db.session.scalars(select(Notification).order_by(Notification.id)))
        db.session.expunge_all()
        return rows


def _notify(app, runner, smtp_url: str | None = None, *args: str):
    app.config["SMTP_URL"] = smtp_url
    try:
        return runner.invoke(args=["notify", *args])
    finally:
        app.config["SMTP_URL"] = None


def _queue(app, day: dt.date, due_soon_days: int = 7) -> int:
    with app.app_context():
        queued = queue_reminders(today=day, due_soon_days=due_soon_days)
        db.session.commit()
        return queued


def _send(app, url: str | None):
    with app.app_context():
        return send_pending(smtp_url=url)


def _notice(app, number: str, *, unit: str, reply_due: dt.date, replied: bool = False) -> None:
    with app.app_context():
        matter_id = db.session.scalar(select(Matter.id).where(Matter.number == number))
        unit_id = db.session.scalar(select(Unit.id).where(Unit.code == unit))
        db.session.add(SupervisionNotice(
            matter_id=matter_id, unit_id=unit_id, body="请于期限内书面回复整改进展。",
            reply_due=reply_due, reply="已整改" if replied else None,
            replied_at=dt.datetime.now(dt.UTC) if replied else None))
        db.session.commit()


# ---------- due soon, once ----------

def test_lead_unit_staff_get_a_due_soon_reminder_by_smtp_with_a_chinese_subject(
        app, runner, seeded, make_user, smtp_server):
    _staff(app, make_user, "centre", email=CENTRE_MAIL)
    deadline = _today(app) + dt.timedelta(days=3)
    _set_matter(app, "S03", deadline=deadline)
    inbox = smtp_server()

    result = _notify(app, runner, inbox.url)

    assert result.exit_code == 0, result.output
    assert "queued 1, sent 1, failed 0, waiting 0" in result.output
    assert len(inbox.received) == 1
    mail = inbox.received[0]
    assert mail.rcpt_tos == [CENTRE_MAIL] and mail.mail_from == "service-desk@localhost"
    title = _title(app, "S03")
    assert "S03" in mail.message["Subject"] and title in mail.message["Subject"]
    assert mail.message.get_content_charset() == "utf-8"
    body = mail.message.get_content()
    assert title in body and "/matters/S03" in body
    # the deadline is written the Chinese way: the mail is in zh_CN whatever the caller's locale
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in body
    assert "3" in mail.message["Subject"].replace("S03", "")  # days left
    [row] = _rows(app)
    assert (row.kind, row.recipient, row.status) == ("matter-due-soon", CENTRE_MAIL,
                                                       NotificationStatus.SENT)
    assert row.attempts == 1 and row.sent_at is not None and row.last_error is None
    assert row.subject == mail.message["Subject"]


def test_running_notify_twice_sends_nothing_twice(app, runner, seeded, make_user, smtp_server):
    _staff(app, make_user, "centre", email=CENTRE_MAIL)
    _set_matter(app, "S03", deadline=_today(app) + dt.timedelta(days=3))
    inbox = smtp_server()

    first = _notify(app, runner, inbox.url)
    second = _notify(app, runner, inbox.url)

    assert "queued 1, sent 1" in first.output
    assert "queued 0, sent 0, failed 0, waiting 0" in second.output
    assert len(inbox.received) == 1
    assert len(_rows(app)) == 1
    with app.app_context():  # the run that changed something is in the audit trail, once
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "outbox.notify")).all()
        assert [(e.actor_label, e.after["queued"], e.after["sent"]) for e in events] == [
            ("cli", 1, 1)]


def test_an_extended_deadline_gets_a_new_due_soon_reminder(app, seeded, make_user):
    _staff(app, make_user, "centre", email=CENTRE_MAIL)
    _set_matter(app, "S03", deadline=MONDAY + dt.timedelta(days=2))
    assert _queue(app, MONDAY) == 1
    assert _queue(app, MONDAY + dt.timedelta(days=1)) == 0
    _set_matter(app, "S03", deadline=MONDAY + dt.timedelta(days=6))  # extension approved
    assert _queue(app, MONDAY + dt.timedelta(days=1)) == 1
    assert [r.kind for r in _rows(app)] == ["matter-due-soon", "matter-due-soon"]


def test_an_item_beyond_the_due_soon_window_gets_nothing_yet(app, seeded, make_user):
    _staff(app, make_user, "centre", email=CENTRE_MAIL)
    _set_matter(app, "S03", deadline=MONDAY + dt.timedelta(days=8))
    assert _queue(app, MONDAY, due_soon_days=7) == 0
    assert _queue(app, MONDAY + dt.timedelta(days=1), due_soon_days=7) == 1


# ---------- overdue, once a week ----------

def test_an_overdue_item_reminds_at_most_once_a_week(app, seeded, make_user, smtp_server):
    _staff(app, make_user, "centre", email=CENTRE_MAIL)
    _set_matter(app, "S03", deadline=MONDAY - dt.timedelta(days=5))
    inbox = smtp_server()

    days = [MONDAY, MONDAY + dt.timedelta(days=2), MONDAY + dt.timedelta(days=6),  # week 10
            MONDAY + dt.timedelta(days=7), MONDAY + dt.timedelta(days=8)]          # week 11
    queued = []
    for day in days:
        queued.append(_queue(app, day))
        _send(app, inbox.url)

    assert queued == [1, 0, 0, 1, 0]
    assert len(inbox.received) == 2
    rows = _rows(app)
    assert [r.kind for r in rows] == ["matter-overdue", "matter-overdue"]
    assert rows[0].dedupe_key.endswith(":2024-W10") and rows[1].dedupe_key.endswith(":2024-W11")
    assert "5" in rows[0].subject and "12" in rows[1].subject  # days overdue on each Monday
    assert all(r.status is NotificationStatus.SENT for r in rows)


# ---------- who gets nothing ----------

def test_only_active_staff_of_the_lead_unit_with_an_email_are_written_to(
        app, seeded, make_user):
    _staff(app, make_user, "centre", email=CENTRE_MAIL)
    _staff(app, make_user, "finance", unit="finance-bureau", email="finance@example.gov.cn")
    _staff(app, make_user, "gone", email="gone@example.gov.cn", active=False)
    _staff(app, make_user, "nomail", email=None)
    _staff(app, make_user, "blank", email="")
    _staff(app, make_user, "boss", role="supervisor", email="boss@example.gov.cn")
    _set_matter(app, "S03", deadline=MONDAY + dt.timedelta(days=3))
    _set_matter(app, "S08", deadline=MONDAY - dt.timedelta(days=3))  # sci-tech bureau: no staff

    assert _queue(app, MONDAY) == 1
    assert [(r.recipient, r.kind) for r in _rows(app)] == [(CENTRE_MAIL, "matter-due-soon")]


def test_a_completed_item_triggers_nothing(app, seeded, make_user):
    _staff(app, make_user, "centre", email=CENTRE_MAIL)
    _set_matter(app, "S03", deadline=MONDAY + dt.timedelta(days=3),
                status=MatterStatus.COMPLETED)
    assert _queue(app, MONDAY) == 0
    _set_matter(app, "S03", deadline=MONDAY - dt.timedelta(days=3),
                status=MatterStatus.COMPLETED)
    assert _queue(app, MONDAY) == 0
    assert _rows(app) == []


# ---------- supervision notices ----------

def test_a_notice_reply_coming_due_reminds_the_notice_unit_once(
        app, runner, seeded, make_user, smtp_server):
    _staff(app, make_user, "centre", email=CENTRE_MAIL)
    _staff(app, make_user, "finance", unit="finance-bureau", email="finance@example.gov.cn")
    today = _today(app)
    _notice(app, "S03", unit=CENTRE, reply_due=today + dt.timedelta(days=1))
    inbox = smtp_server()
    app.config["NOTIFY_FROM"] = "经开区便民服务平台 <desk@zone.example>"
    try:
        first = _notify(app, runner, inbox.url)
        second = _notify(app, runner, inbox.url)
    finally:
        app.config["NOTIFY_FROM"] = "service-desk@localhost"

    assert "queued 1, sent 1" in first.output and "queued 0, sent 0" in second.output
    assert len(inbox.received) == 1
    mail = inbox.received[0]
    assert mail.rcpt_tos == [CENTRE_MAIL] and mail.mail_from == "desk@zone.example"
    assert mail.message["From"].addresses[0].display_name == "经开区便民服务平台"
    assert mail.message["Message-ID"].endswith("@zone.example>")
    assert "S03" in mail.message["Subject"] and _title(app, "S03") in mail.message["Subject"]
    body = mail.message.get_content()
    assert "请于期限内书面回复整改进展。" in body and "/matters/S03" in body
    [row] = _rows(app)
    assert row.kind == "notice-reply-due" and row.dedupe_key.startswith("notice-reply-due:")


def test_late_replied_and_distant_notices(app, seeded, make_user):
    _staff(app, make_user, "centre", email=CENTRE_MAIL)
    _notice(app, "S03", unit=CENTRE, reply_due=MONDAY - dt.timedelta(days=2))
    _notice(app, "S06", unit=CENTRE, reply_due=MONDAY - dt.timedelta(days=2), replied=True)
    _notice(app, "S07", unit=CENTRE, reply_due=MONDAY + dt.timedelta(days=5))

    assert _queue(app, MONDAY) == 1  # S03 late; S06 replied; S07 due in five days
    [row] = _rows(app)
    assert row.kind == "notice-late" and "S03" in row.subject
    assert _queue(app, MONDAY + dt.timedelta(days=1)) == 0
    assert _queue(app, MONDAY + dt.timedelta(days=3)) == 1  # S07 due within two days
    assert _queue(app, MONDAY + dt.timedelta(days=7)) == 1  # S07 late
    assert _queue(app, MONDAY + dt.timedelta(days=14)) == 0  # late reminds once, not weekly
    assert [(r.kind, "S07" in r.subject) for r in _rows(app)] == [
        ("notice-late", False), ("notice-reply-due", True), ("notice-late", True)]


# ---------- no SMTP: the outbox page ----------

def test_without_smtp_rows_wait_and_only_admins_see_the_outbox(
        app, client, runner, seeded, make_user):
    _staff(app, make_user, "centre", email=CENTRE_MAIL)
    _set_matter(app, "S03", deadline=_today(app) + dt.timedelta(days=3))

    result = _notify(app, runner, None)

    assert result.exit_code == 0, result.output
    assert "queued 1, sent 0, failed 0, waiting 1" in result.output
    assert "SERVICE_DESK_SMTP_URL is not set" in result.output
    [row] = _rows(app)
    assert (row.status, row.attempts, row.sent_at) == (NotificationStatus.PENDING, 0, None)

    anonymous = client.get("/admin/outbox")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]

    make_user("supervisor", username="boss")
    supervisor = app.test_client()
    login(supervisor, "boss")
    assert supervisor.get("/admin/outbox").status_code == 403

    make_user("admin", username="root")
    login(client, "root")
    client.set_cookie("lang", "en")
    page = client.get("/admin/outbox")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.escape(row.subject) in text and CENTRE_MAIL in text
    assert "Waiting" in text and "no mail server is set" in text
    assert "<code>SERVICE_DESK_SMTP_URL</code>" in text
    assert html.escape(row.subject) in client.get("/admin/outbox?status=pending").get_data(
        as_text=True)
    sent_only = client.get("/admin/outbox?status=sent").get_data(as_text=True)
    assert html.escape(row.subject) not in sent_only and "No notifications." in sent_only
    bad = client.get("/admin/outbox?status=lost")
    assert bad.status_code == 400 and "Error:" in bad.get_data(as_text=True)


def test_the_outbox_page_is_paginated_with_a_bounded_number_of_queries(
        app, client, seeded, make_user, count_queries):
    make_user("admin", username="root")
    login(client, "root")

    def add(n: int) -> None:
        with app.app_context():
            base = db.session.scalar(select(func.count(Notification.id)))
            for i in range(base, base + n):
                db.session.add(Notification(kind="matter-due-soon", recipient=f"s{i}@example.cn",
                                            subject=f"subject {i}", body="b", dedupe_key=f"k{i}"))
            db.session.commit()

    app.config["PAGE_SIZE"] = 5
    try:
        add(3)
        with count_queries() as few:
            client.get("/admin/outbox")
        add(20)
        with count_queries() as many:
            first = client.get("/admin/outbox").get_data(as_text=True)
        assert len(many) == len(few) <= 8
        assert "subject 22" in first and "subject 17" not in first and 'rel="next"' in first
        last = client.get("/admin/outbox?page=5").get_data(as_text=True)
        assert "subject 0<" in last and "subject 3<" not in last
    finally:
        app.config["PAGE_SIZE"] = 50


# ---------- failures ----------

def test_an_unreachable_server_counts_attempts_then_gives_up(
        app, runner, seeded, make_user, closed_port, smtp_server):
    _staff(app, make_user, "centre", email=CENTRE_MAIL)
    _set_matter(app, "S03", deadline=_today(app) + dt.timedelta(days=3))
    down = f"smtp://127.0.0.1:{closed_port}"

    first = _notify(app, runner, down)

    assert first.exit_code == 1
    assert "queued 1, sent 0, failed 1, waiting 1" in first.output
    assert "could not reach the SMTP server" in first.output
    [row] = _rows(app)
    assert (row.status, row.attempts) == (NotificationStatus.PENDING, 1)
    assert "refused" in row.last_error.lower() and row.sent_at is None

    for _ in range(MAX_ATTEMPTS - 1):
        _notify(app, runner, down)
    [row] = _rows(app)
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, MAX_ATTEMPTS)

    inbox = smtp_server()  # the server is back: a given-up message is not retried
    again = _notify(app, runner, inbox.url)
    assert "queued 0, sent 0, failed 0, waiting 0" in again.output
    assert inbox.received == [] and _rows(app)[0].attempts == MAX_ATTEMPTS


def test_a_refused_recipient_fails_only_that_message(app, seeded, make_user, smtp_server):
    _staff(app, make_user, "centre", email=CENTRE_MAIL)
    _staff(app, make_user, "typo", email="nobody@example.gov.cn")
    _set_matter(app, "S03", deadline=MONDAY + dt.timedelta(days=3))
    inbox = smtp_server(refuse=("nobody@example.gov.cn",))
    assert _queue(app, MONDAY) == 2

    result = _send(app, inbox.url)

    assert (result.sent, result.failed, result.waiting, result.error) == (1, 1, 1, None)
    assert [m.rcpt_tos for m in inbox.received] == [[CENTRE_MAIL]]
    by_recipient = {r.recipient: r for r in _rows(app)}
    refused = by_recipient["nobody@example.gov.cn"]
    assert refused.status is NotificationStatus.PENDING and refused.attempts == 1
    assert "550" in refused.last_error
    assert by_recipient[CENTRE_MAIL].status is NotificationStatus.SENT


def test_smtp_credentials_come_from_the_url(app, seeded, make_user, smtp_server):
    _staff(app, make_user, "centre", email=CENTRE_MAIL)
    _set_matter(app, "S03", deadline=MONDAY + dt.timedelta(days=3))
    _queue(app, MONDAY)
    inbox = smtp_server(auth=True)
    port = inbox.url.rsplit(":", 1)[1]

    wrong = _send(app, f"smtp://desk:wrong@127.0.0.1:{port}")
    assert wrong.sent == 0 and wrong.failed == 1 and "535" in wrong.error
    right = _send(app, f"smtp://desk:p%40ss%3Aword@127.0.0.1:{port}")
    assert right.sent == 1 and len(inbox.received) == 1
    # smtplib tries each mechanism the server offers before giving up on a wrong password
    assert set(inbox.logins) == {("desk", "wrong"), ("desk", "p@ss:word")}
    assert inbox.logins[-1] == ("desk", "p@ss:word")
    assert _rows(app)[0].attempts == 2


def test_a_bad_smtp_url_exits_non_zero_and_sends_nothing(app, runner, seeded, make_user):
    _staff(app, make_user, "centre", email=CENTRE_MAIL)
    _set_matter(app, "S03", deadline=_today(app) + dt.timedelta(days=3))

    result = _notify(app, runner, "http://mail.example.gov.cn")

    assert result.exit_code == 1 and "SERVICE_DESK_SMTP_URL" in result.output
    [row] = _rows(app)  # the reminder is queued and waits, untouched
    assert (row.status, row.attempts, row.last_error) == (NotificationStatus.PENDING, 0, None)


def test_dry_run_changes_nothing(app, runner, seeded, make_user):
    _staff(app, make_user, "centre", email=CENTRE_MAIL)
    _set_matter(app, "S03", deadline=_today(app) + dt.timedelta(days=3))
    result = _notify(app, runner, None, "--dry-run")
    assert result.exit_code == 0 and "would queue 1" in result.output
    assert _rows(app) == []


def test_the_link_is_absolute_when_server_name_is_configured(app, seeded, make_user):
    _staff(app, make_user, "centre", email=CENTRE_MAIL)
    _set_matter(app, "S03", deadline=MONDAY + dt.timedelta(days=3))
    app.config["SERVER_NAME"] = "desk.example.gov.cn"
    try:
        _queue(app, MONDAY)
    finally:
        app.config["SERVER_NAME"] = None
    assert "http://desk.example.gov.cn/matters/S03" in _rows(app)[0].body


# ---------- concurrency and cost ----------

def test_a_run_that_lost_the_race_skips_rows_already_queued(app, seeded, make_user, monkeypatch):
    """Two runs both checked before either committed: the UNIQUE key wins, without an error."""
    _staff(app, make_user, "centre", email=CENTRE_MAIL)
    _set_matter(app, "S03", deadline=MONDAY + dt.timedelta(days=3))
    assert _queue(app, MONDAY) == 1
    monkeypatch.setattr(outbox, "_existing_keys", lambda keys: set())
    assert _queue(app, MONDAY) == 0
    assert len(_rows(app)) == 1


@pytest.mark.commits  # two sender threads, each its own connection
def test_two_concurrent_senders_send_each_message_once(
        app, seeded, make_user, smtp_server, monkeypatch):
    for i in range(6):
        _staff(app, make_user, f"centre{i}", email=f"c{i}@example.gov.cn")
    _set_matter(app, "S03", deadline=MONDAY + dt.timedelta(days=3))
    assert _queue(app, MONDAY) == 6
    inbox = smtp_server(delay=0.05)
    # both runs list the same six pending rows before either claims one
    both_listed = threading.Barrier(2, timeout=10)
    connect = sender._connect

    def connect_together(target):
        both_listed.wait()
        return connect(target)

    monkeypatch.setattr(sender, "_connect", connect_together)
    results = []

    def run() -> None:
        results.append(_send(app, inbox.url))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2
    # a row a run had to skip (the other held it) stays pending; a later run sends it
    monkeypatch.setattr(sender, "_connect", connect)
    results.append(_send(app, inbox.url))

    assert sum(r.sent for r in results) == 6 and sum(r.failed for r in results) == 0
    assert sorted(m.rcpt_tos[0] for m in inbox.received) == sorted(
        f"c{i}@example.gov.cn" for i in range(6))
    assert len({m.message["Message-ID"] for m in inbox.received}) == 6
    assert all(r.status is NotificationStatus.SENT and r.attempts == 1 for r in _rows(app))


def test_queueing_issues_the_same_number_of_statements_for_3_and_30_items(
        app, seeded, make_user, count_queries):
    _staff(app, make_user, "centre", email=CENTRE_MAIL)
    _staff(app, make_user, "centre2", email="centre2@example.gov.cn")
    _notice(app, "S03", unit=CENTRE, reply_due=MONDAY + dt.timedelta(days=1))

    def add_items(start: int, stop: int) -> None:
        with app.app_context():
            unit_id = db.session.scalar(select(Unit.id).where(Unit.code == CENTRE))
            for i in range(start, stop):
                overdue = i % 2 == 0
                db.session.add(Matter(
                    number=f"T{i:03d}", title=f"测试事项 {i}", origin=RecordOrigin.WEB,
                    lead_unit_id=unit_id, status=MatterStatus.IN_PROGRESS,
                    deadline=MONDAY + dt.timedelta(days=-3 if overdue else 3)))
            db.session.commit()

    def measure() -> tuple[int, int]:
        with app.app_context():
            with count_queries() as statements:
                queued = queue_reminders(today=MONDAY, due_soon_days=7)
            db.session.rollback()  # measure from an empty outbox each time
        return queued, len(statements)

    add_items(0, 3)
    queued_3, statements_3 = measure()
    add_items(3, 30)
    queued_30, statements_30 = measure()

    assert (queued_3, queued_30) == (2 * 3 + 2, 2 * 30 + 2)
    assert statements_3 == statements_30 <= 5


def test_the_outbox_page_names_every_reminder_kind():
    """The outbox imports no feature, so it names their kinds by the stored string."""
    from service_desk.notifications.labels import KIND_LABELS
    from service_desk.supervision.services import NOTICE_ISSUED

    kinds = [Kind.DUE_SOON, Kind.OVERDUE, Kind.NOTICE_REPLY_DUE, Kind.NOTICE_LATE, NOTICE_ISSUED]
    assert all(kind in KIND_LABELS for kind in kinds)


def test_queue_text_and_queue_mail_add_one_row_each(app):
    from service_desk.notifications.outbox import queue_mail, queue_text

    with app.app_context():
        queue_text(kind="t", phone="13800000000", subject="s", body="b", dedupe_key="t:1")
        queue_mail(kind="m", to="a@example.org", subject="s", body="b", dedupe_key="m:1")
        db.session.commit()
        rows = db.session.scalars(select(Notification).order_by(Notification.kind)).all()
        assert [(r.kind, r.recipient, r.status) for r in rows] == [
            ("m", "a@example.org", NotificationStatus.PENDING),
            ("t", "sms:13800000000", NotificationStatus.PENDING)]


# ---------- a title with a line break (Excel's Alt+Enter) ----------

def test_a_title_with_a_line_break_still_goes_out_with_a_one_line_subject(
        app, runner, seeded, make_user, smtp_server):
    """Issue 12: "Header values may not contain linefeed" left such reminders failed."""
    _staff(app, make_user, "centre", email=CENTRE_MAIL)
    matter_set(app, "S03", title="老旧小区加装电梯\n（第二批）\r\n第三行", deadline=_today(app)
               + dt.timedelta(days=3), status=MatterStatus.IN_PROGRESS, progress=40)
    inbox = smtp_server()

    result = _notify(app, runner, inbox.url)

    assert result.exit_code == 0, result.output
    assert "queued 1, sent 1, failed 0, waiting 0" in result.output
    subject = inbox.received[0].message["Subject"]
    assert "\n" not in subject and "\r" not in subject
    assert "老旧小区加装电梯 （第二批） 第三行" in subject
    [row] = _rows(app)
    assert row.status is NotificationStatus.SENT and "\n" not in row.subject
