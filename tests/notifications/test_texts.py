"""Texts to residents go out through a real local HTTP gateway: signed, once, retried with
backoff, capped per phone and day, held in quiet hours; /admin/outbox shows and retries them.

Nothing is mocked between the sender and the gateway (http.server in a thread).
"""
from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from service_desk.audit.models import AuditEvent
from service_desk.extensions import db
from service_desk.notifications import sms_sender
from service_desk.notifications.models import Notification, NotificationStatus
from service_desk.notifications.outbox import queue_text
from service_desk.notifications.sms_backends import HttpGateway, SmsConfigError, sms_backend
from service_desk.notifications.sms_rules import (
    QuietHoursError,
    backoff,
    parse_quiet_hours,
    quiet_until,
)
from service_desk.notifications.sms_sender import send_texts, text_id

from ..factories import csrf_from, login
from .sms_servers import Gateway

SECRET = "gateway-shared-secret"
PHONE = "13800138000"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# 10:00 on a Wednesday in Shanghai: outside quiet hours
MORNING = dt.datetime(2026, 3, 4, 10, 0, tzinfo=SHANGHAI).astimezone(dt.UTC)
CONFIG = {"SMS_MAX_TRIES": 3, "SMS_BACKOFF_SECONDS": [60, 300], "SMS_MAX_PER_PHONE_PER_DAY": 10,
          "SMS_QUIET_HOURS": "21:00-08:00", "SMS_URGENT_MINUTES": 30}


@pytest.fixture
def gateway():
    servers: list[Gateway] = []

    def start(**options) -> Gateway:
        servers.append(Gateway(SECRET, **options))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def _queue(app, n: int = 1, *, phone: str = PHONE, kind: str = "appointment-booked",
           urgent: bool = False, created_at: dt.datetime = MORNING, start: int = 0) -> list[int]:
    with app.app_context():
        for i in range(start, start + n):
            queue_text(kind=kind, phone=phone, subject="预约", dedupe_key=f"{kind}:{phone}:{i}",
                       body=f"预约成功：业务办理 3月5日 10:00，编号 A{i:05d}。", urgent=urgent)
        db.session.flush()
        rows = list(db.session.scalars(select(Notification).where(
            Notification.created_at.is_not(None)).order_by(Notification.id)))
        for row in rows[-n:]:
            row.created_at = created_at
        db.session.commit()
        return [row.id for row in rows[-n:]]


def _send(app, gw: Gateway | str, now: dt.datetime = MORNING, **config):
    url = gw if isinstance(gw, str) else gw.url
    with app.app_context():
        return send_texts(backend=HttpGateway(url=url, secret=SECRET, timeout=2),
                          config={**CONFIG, **config}, now=now)


def _rows(app) -> list[Notification]:
    with app.app_context():
        rows = list(db.session.scalars(select(Notification).order_by(Notification.id)))
        db.session.expunge_all()
        return rows


@pytest.fixture
def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------- the gateway ----------

def test_a_text_is_one_signed_post_of_json_and_marked_sent(app, gateway):
    gw = gateway()
    _queue(app)

    result = _send(app, gw)

    assert (result.sent, result.failed, result.waiting) == (1, 0, 0)
    [got] = gw.received
    assert gw.signed(got) and got.headers["Content-Type"].startswith("application/json")
    body = got.json()
    assert set(body) == {"id", "phone", "text", "kind"}
    assert body["phone"] == PHONE and body["kind"] == "appointment-booked"
    assert "编号 A00000" in body["text"]
    [row] = _rows(app)
    assert body["id"] == text_id(row.dedupe_key) and row.dedupe_key not in body["id"]
    assert (row.status, row.attempts, row.provider_id) == (NotificationStatus.SENT, 1, "gw-1")
    assert row.sent_at == MORNING


def test_a_gateway_that_rejects_the_signature_gets_nothing_accepted(app, gateway):
    gw = gateway()
    _queue(app)
    with app.app_context():
        wrong = HttpGateway(url=gw.url, secret="not-the-secret", timeout=2)
        result = send_texts(backend=wrong, config=CONFIG, now=MORNING)
    assert result.sent == 0 and gw.accepted() == []
    [row] = _rows(app)
    # 401 is a refusal of this text that no retry changes: failed at once, with the reason
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, 1)
    assert row.last_error == "gateway answered HTTP 401"


def test_a_500_is_retried_after_the_backoff_with_the_same_id(app, gateway):
    gw = gateway()
    gw.script = [(500, {})]
    _queue(app)

    first = _send(app, gw)
    [row] = _rows(app)
    assert (first.sent, first.failed) == (0, 1)
    assert (row.status, row.attempts, row.last_error) == (
        NotificationStatus.PENDING, 1, "gateway answered HTTP 500")
    assert row.next_attempt_at == MORNING + dt.timedelta(seconds=60)

    # not before the backoff is over
    assert _send(app, gw, MORNING + dt.timedelta(seconds=59)).sent == 0
    assert len(gw.received) == 1

    second = _send(app, gw, MORNING + dt.timedelta(seconds=60))
    assert second.sent == 1
    assert len(gw.received) == 2
    assert gw.received[0].json() == gw.received[1].json()  # same id: the gateway can fold it
    assert len(gw.accepted()) == 1
    [row] = _rows(app)
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 2)


def test_an_unreachable_gateway_fails_after_max_tries_with_the_reason(app, closed_port):
    _queue(app)
    url = f"http://127.0.0.1:{closed_port}/sms"
    now = MORNING
    for tries in (1, 2):
        result = _send(app, url, now)
        [row] = _rows(app)
        assert (result.failed, result.gave_up) == (1, 0)
        assert (row.status, row.attempts) == (NotificationStatus.PENDING, tries)
        assert row.last_error.startswith("gateway unreachable: ")
        assert row.next_attempt_at == now + backoff(tries, CONFIG["SMS_BACKOFF_SECONDS"])
        now = row.next_attempt_at

    last = _send(app, url, now)
    [row] = _rows(app)
    assert (last.failed, last.gave_up) == (1, 1)
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, 3)
    assert "Connection refused" in row.last_error or "unreachable" in row.last_error
    # given up: nothing more is tried
    assert _send(app, url, now + dt.timedelta(days=1)).failed == 0
    assert _rows(app)[0].attempts == 3


def test_backoff_follows_the_schedule_and_repeats_its_last_step():
    assert [backoff(n, [60, 300]).total_seconds() for n in (1, 2, 3, 9)] == [60, 300, 300, 300]


def test_the_backend_is_chosen_by_configuration_and_bad_settings_are_named():
    assert sms_backend({}) is None
    assert isinstance(sms_backend({"SMS_URL": "https://sms.example.gov.cn/send",
                                   "SMS_SECRET": "k"}), HttpGateway)
    with pytest.raises(SmsConfigError, match="SMS_SECRET"):
        sms_backend({"SMS_URL": "https://sms.example.gov.cn/send"})
    with pytest.raises(SmsConfigError, match="https://"):
        sms_backend({"SMS_URL": "ftp://sms.example.gov.cn", "SMS_SECRET": "k"})
    with pytest.raises(SmsConfigError, match="gateway or aliyun"):
        sms_backend({"SMS_BACKEND": "pigeon"})
    with pytest.raises(SmsConfigError, match="ALIYUN_SMS_SIGN_NAME"):
        sms_backend({"ALIYUN_ACCESS_KEY_ID": "id", "ALIYUN_ACCESS_KEY_SECRET": "s"})


# ---------- never twice ----------

@pytest.mark.commits  # two sender threads, each with its own connection
def test_two_concurrent_runs_post_each_text_once(app, gateway, monkeypatch):
    gw = gateway(delay=0.05)
    _queue(app, 6, phone="13900139000")
    both_listed = threading.Barrier(2, timeout=10)
    first_claim = threading.local()
    claim = sms_sender._claim

    def claim_together(*args):
        # both runs have listed the same six rows before either claims one
        if not getattr(first_claim, "done", False):
            first_claim.done = True
            both_listed.wait()
        return claim(*args)

    monkeypatch.setattr(sms_sender, "_claim", claim_together)
    results = []

    def run() -> None:
        results.append(_send(app, gw))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2
    # a row a run had to skip (the other held it) stays pending; a later run sends it
    monkeypatch.setattr(sms_sender, "_claim", claim)
    results.append(_send(app, gw))

    assert sum(r.sent for r in results) == 6 and sum(r.failed for r in results) == 0
    assert len(gw.received) == 6  # exactly one POST per text
    assert len({r.json()["id"] for r in gw.received}) == 6
    assert all(r.status is NotificationStatus.SENT and r.attempts == 1 for r in _rows(app))


# ---------- the daily cap per phone ----------

def test_the_eleventh_text_to_a_phone_that_day_fails_with_the_reason(app, gateway):
    gw = gateway()
    _queue(app, 11)
    _queue(app, 1, phone="13700137000", start=100)

    result = _send(app, gw)

    assert (result.sent, result.capped, result.gave_up) == (11, 1, 1)
    assert sum(1 for r in gw.received if r.json()["phone"] == PHONE) == 10
    assert sum(1 for r in gw.received if r.json()["phone"] == "13700137000") == 1
    capped = [r for r in _rows(app) if r.status is NotificationStatus.FAILED]
    assert len(capped) == 1 and capped[0].attempts == 0
    assert capped[0].last_error == "daily limit: 10 texts already sent to this phone today"

    # the next day an administrator may send it again, and it goes
    with app.app_context():
        from service_desk.notifications.retry import outbox_retry

        outbox_retry(notification_id=capped[0].id, actor="test")
        db.session.commit()
    assert _send(app, gw, MORNING + dt.timedelta(days=1)).sent == 1


def test_the_cap_counts_the_local_day(app, gateway):
    gw = gateway()
    late = dt.datetime(2026, 3, 4, 20, 30, tzinfo=SHANGHAI).astimezone(dt.UTC)
    _queue(app, 2, created_at=late)
    # 20:30 local is 12:30 UTC the same day; one allowed per day here
    assert _send(app, gw, late, SMS_MAX_PER_PHONE_PER_DAY=1).sent == 1
    assert _rows(app)[1].status is NotificationStatus.FAILED


# ---------- quiet hours ----------

def test_quiet_hours_hold_texts_until_eight_and_let_a_fresh_confirmation_through(app, gateway):
    gw = gateway()
    night = dt.datetime(2026, 3, 4, 22, 0, tzinfo=SHANGHAI).astimezone(dt.UTC)
    reminder, = _queue(app, 1, kind="request-resolved", created_at=night)
    fresh, = _queue(app, 1, urgent=True, created_at=night - dt.timedelta(minutes=5), start=1)
    stale, = _queue(app, 1, urgent=True, created_at=night - dt.timedelta(hours=2), start=2)

    result = _send(app, gw, night)

    assert (result.sent, result.held) == (1, 2)
    assert [r.json()["text"][-7:-1] for r in gw.received] == ["A00001"]
    eight = dt.datetime(2026, 3, 5, 8, 0, tzinfo=SHANGHAI).astimezone(dt.UTC)
    rows = {r.id: r for r in _rows(app)}
    assert rows[fresh].status is NotificationStatus.SENT
    for held in (reminder, stale):
        assert (rows[held].status, rows[held].attempts, rows[held].next_attempt_at) == (
            NotificationStatus.PENDING, 0, eight)

    assert _send(app, gw, eight - dt.timedelta(minutes=1)).sent == 0
    assert _send(app, gw, eight).sent == 2
    assert len(gw.received) == 3


def test_quiet_hours_across_midnight_and_within_a_day():
    hours = parse_quiet_hours("21:00-08:00")

    def at(hour: int, minute: int = 0, day: int = 4) -> dt.datetime:
        return dt.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI).astimezone(dt.UTC)

    assert quiet_until(at(20, 59), hours, SHANGHAI) is None
    assert quiet_until(at(21, 0), hours, SHANGHAI) == at(8, 0, day=5)
    assert quiet_until(at(3, 0), hours, SHANGHAI) == at(8, 0)
    assert quiet_until(at(8, 0), hours, SHANGHAI) is None
    lunch = parse_quiet_hours("12:00-13:30")
    assert quiet_until(at(12, 10), lunch, SHANGHAI) == at(13, 30)
    assert quiet_until(at(14, 0), lunch, SHANGHAI) is None
    assert parse_quiet_hours("") is None
    for bad in ("9pm-8am", "21:00", "08:00-08:00"):
        with pytest.raises(QuietHoursError):
            parse_quiet_hours(bad)


# ---------- the notify command ----------

def test_notify_sends_texts_through_the_configured_gateway(app, runner, gateway, monkeypatch):
    gw = gateway()
    _queue(app, 2)
    for key, value in {"SMS_URL": gw.url, "SMS_SECRET": SECRET, "SMS_QUIET_HOURS": ""}.items():
        monkeypatch.setitem(app.config, key, value)

    result = runner.invoke(args=["notify"])

    assert result.exit_code == 0, result.output
    assert "texts: sent 2, failed 0" in result.output
    assert len(gw.accepted()) == 2
    with app.app_context():
        audit = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "outbox.notify")).one()
        assert "texts_sent" in json.dumps(audit.after)


def test_notify_with_a_bad_sms_setting_exits_non_zero_and_sends_no_text(app, runner, monkeypatch):
    _queue(app)
    monkeypatch.setitem(app.config, "SMS_URL", "https://sms.example.gov.cn/send")  # no secret

    result = runner.invoke(args=["notify"])

    assert result.exit_code == 1
    assert "SERVICE_DESK_SMS_SECRET is not set" in result.output
    assert _rows(app)[0].status is NotificationStatus.PENDING


# ---------- /admin/outbox ----------

def _failed_text(app) -> int:
    [row_id] = _queue(app)
    with app.app_context():
        row = db.session.get(Notification, row_id)
        row.status, row.attempts, row.last_error = (NotificationStatus.FAILED, 5,
                                                    "gateway answered HTTP 503")
        db.session.commit()
    return row_id


def test_the_outbox_shows_a_text_masked_with_its_state_tries_and_error(app, client, make_user):
    row_id = _failed_text(app)
    make_user("admin", username="root")
    login(client, "root")
    client.set_cookie("lang", "en")

    page = client.get("/admin/outbox").get_data(as_text=True)

    assert PHONE not in page and "138****8000" in page
    assert "Failed (given up)" in page and "gateway answered HTTP 503" in page
    assert '<td class="outbox-count">5' in page
    assert f'action="/admin/outbox/{row_id}/retry"' in page and "Send again" in page
    assert "Texts are not configured:" in page


def test_an_admin_retries_a_failed_text_with_csrf_and_it_is_audited(app, client, make_user):
    row_id = _failed_text(app)
    make_user("admin", username="root")
    login(client, "root")
    client.set_cookie("lang", "en")

    assert client.post(f"/admin/outbox/{row_id}/retry").status_code == 400  # no CSRF token
    assert _rows(app)[0].status is NotificationStatus.FAILED

    token = csrf_from(client.get("/admin/outbox").get_data(as_text=True))
    answer = client.post(f"/admin/outbox/{row_id}/retry",
                         data={"csrf_token": token, "status": "failed"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(
        "/admin/outbox?status=failed")
    [row] = _rows(app)
    assert (row.status, row.attempts, row.next_attempt_at) == (NotificationStatus.PENDING, 0, None)
    assert row.last_error == "gateway answered HTTP 503"  # kept until a new try replaces it
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "outbox.retry")).one()
        assert (event.object_type, event.object_id, event.actor_label) == (
            "notification", str(row_id), "root")
        assert event.before["status"] == "failed" and event.after["status"] == "pending"

    # a pending (or sent) message is not "retried": a clear message, nothing changes
    again = client.post(f"/admin/outbox/{row_id}/retry", data={"csrf_token": token},
                        follow_redirects=True)
    assert "Only a failed message can be sent again." in again.get_data(as_text=True)
    assert client.post("/admin/outbox/999999/retry", data={"csrf_token": token}).status_code == 404


def test_only_admins_may_retry(app, client, make_user):
    row_id = _failed_text(app)
    make_user("supervisor", username="boss")
    login(client, "boss")
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post(f"/admin/outbox/{row_id}/retry",
                       data={"csrf_token": token}).status_code == 403
    anonymous = app.test_client().post(f"/admin/outbox/{row_id}/retry")
    assert anonymous.status_code in (302, 400)
    assert _rows(app)[0].status is NotificationStatus.FAILED
