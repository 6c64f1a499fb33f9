"""Texts through Alibaba Cloud SMS with its official SDK, pointed (protocol HTTP) at a local
endpoint that checks what the SDK sends: SendSms, the phone, the sign name, the template of
the message's kind and the template parameters."""
from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from service_desk.extensions import db
from service_desk.notifications.models import Notification, NotificationStatus
from service_desk.notifications.outbox import queue_text
from service_desk.notifications.sms_backends import AliyunSms, sms_backend
from service_desk.notifications.sms_sender import send_texts, text_id

from .sms_servers import AliyunEndpoint

pytest.importorskip("alibabacloud_dysmsapi20170525")

NOON = dt.datetime(2026, 3, 4, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(dt.UTC)
TEMPLATES = {"appointment-booked": "SMS_100001", "request-resolved": "SMS_100002"}
SETTINGS = {"SMS_MAX_TRIES": 3, "SMS_BACKOFF_SECONDS": [60], "SMS_QUIET_HOURS": "21:00-08:00",
            "SMS_MAX_PER_PHONE_PER_DAY": 10}


@pytest.fixture
def endpoint():
    server = AliyunEndpoint()
    yield server
    server.stop()


def _config(server: AliyunEndpoint) -> dict:
    return {**SETTINGS, "ALIYUN_ACCESS_KEY_ID": "LTAI-test-id", "ALIYUN_ACCESS_KEY_SECRET": "sk",
            "ALIYUN_SMS_SIGN_NAME": "经开区便民服务", "ALIYUN_SMS_TEMPLATES": TEMPLATES,
            "ALIYUN_SMS_ENDPOINT": f"127.0.0.1:{server.port}", "ALIYUN_SMS_PROTOCOL": "HTTP",
            "SMS_TIMEOUT": 3}


def _queue(app, kind: str = "appointment-booked", key: str = "k1") -> None:
    with app.app_context():
        queue_text(kind=kind, phone="13800138000", subject="预约", dedupe_key=key,
                   body="预约成功，编号 A1B2C3。", params={"ref": "A1B2C3", "service": "社保"})
        db.session.commit()


def _send(app, server: AliyunEndpoint, now: dt.datetime = NOON):
    config = _config(server)
    with app.app_context():
        backend = sms_backend(config)
        assert isinstance(backend, AliyunSms)
        return send_texts(backend=backend, config=config, now=now)


def _row(app) -> Notification:
    with app.app_context():
        row = db.session.scalars(select(Notification)).one()
        db.session.expunge(row)
        return row


def test_the_sdk_sends_sms_with_sign_template_of_the_kind_and_params(app, endpoint):
    _queue(app, kind="request-resolved")

    result = _send(app, endpoint)

    assert result.sent == 1
    [got] = endpoint.received
    assert got.headers["x-acs-action"] == "SendSms"
    assert got.headers["x-acs-version"] == "2017-05-25"
    assert "Credential=LTAI-test-id" in got.headers["Authorization"]  # signed by the SDK
    assert got.query["PhoneNumbers"] == "13800138000"
    assert got.query["SignName"] == "经开区便民服务"
    assert got.query["TemplateCode"] == "SMS_100002"
    assert json.loads(got.query["TemplateParam"]) == {"ref": "A1B2C3", "service": "社保"}
    assert got.query["OutId"] == text_id("k1")
    row = _row(app)
    assert (row.status, row.attempts, row.provider_id) == (NotificationStatus.SENT, 1, "biz-1")


def test_an_error_code_is_retried_and_then_accepted(app, endpoint):
    endpoint.script = [(200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控",
                              "RequestId": "r"})]
    _queue(app)

    assert _send(app, endpoint).failed == 1
    row = _row(app)
    assert (row.status, row.attempts) == (NotificationStatus.PENDING, 1)
    assert row.last_error == "Alibaba Cloud: isv.BUSINESS_LIMIT_CONTROL: 触发流控"

    assert _send(app, endpoint, NOON + dt.timedelta(seconds=60)).sent == 1
    assert len(endpoint.received) == 2
    assert endpoint.received[0].query["OutId"] == endpoint.received[1].query["OutId"]
    assert (_row(app).status, _row(app).attempts) == (NotificationStatus.SENT, 2)


def test_a_server_error_is_retried_until_max_tries(app, endpoint):
    endpoint.script = [(500, {"Code": "InternalError", "Message": "x"})] * 3
    _queue(app)
    now = NOON
    for _ in range(3):
        _send(app, endpoint, now)
        now += dt.timedelta(hours=1)
    row = _row(app)
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, 3)
    assert row.last_error.startswith("Alibaba Cloud: InternalError")


def test_a_refusal_no_retry_can_change_fails_at_once(app, endpoint):
    endpoint.script = [(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"})]
    _queue(app)
    assert _send(app, endpoint).gave_up == 1
    row = _row(app)
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, 1)
    assert "isv.MOBILE_NUMBER_ILLEGAL" in row.last_error


def test_a_kind_without_a_template_fails_without_calling_alibaba(app, endpoint):
    _queue(app, kind="matter-overdue")
    assert _send(app, endpoint).gave_up == 1
    assert endpoint.received == []
    assert "no Alibaba Cloud template for kind 'matter-overdue'" in _row(app).last_error
