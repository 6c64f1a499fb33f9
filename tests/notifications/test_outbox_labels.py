"""The outbox page says every kind of message and every failure in words of the page's
language; the kinds are found in the code, so a new one without a label fails here."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from service_desk.extensions import db
from service_desk.notifications.labels import KIND_LABELS, shown_error
from service_desk.notifications.models import Notification, NotificationStatus
from service_desk.notifications.outbox import queue_mail, queue_text

from ..factories import login

SOURCE = Path(__file__).resolve().parents[2] / "service_desk"
QUEUERS = {"queue_text", "queue_mail", "_queue", "Draft"}
# f-string kinds: the pattern in the code, and what it becomes
EXPANSIONS = {"appointment-{what}": ["appointment-booked", "appointment-rescheduled",
                                     "appointment-cancelled"]}


def _strings_by_name(tree: ast.AST) -> dict[str, set[str]]:
    """Each name (or class attribute) a module assigns a string to, or another such name."""
    found: dict[str, set[str]] = {}
    assigns = [n for n in ast.walk(tree) if isinstance(n, ast.Assign)]
    for _round in range(2):  # names assigned from names read from the first round
        for node in assigns:
            values = _values(node.value, found, strict=False)
            for target in node.targets:
                if isinstance(target, ast.Name) and values:
                    found.setdefault(target.id, set()).update(values)
    return found


def _values(node: ast.AST, names: dict[str, set[str]], strict: bool = True) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _values(node.body, names, strict) | _values(node.orelse, names, strict)
    if isinstance(node, ast.Name):
        return names.get(node.id, set())
    if isinstance(node, ast.Attribute):
        return names.get(node.attr, set())
    if isinstance(node, ast.JoinedStr):
        pattern = "".join(v.value if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"
                          for v in node.values)
        assert pattern in EXPANSIONS or not strict, (
            f"a new f-string kind {pattern!r}: add it to EXPANSIONS")
        return set(EXPANSIONS.get(pattern, ()))
    return set()


def _queued_kinds() -> set[str]:
    kinds: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _strings_by_name(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if func not in QUEUERS:
                continue
            args = [k.value for k in node.keywords if k.arg == "kind"]
            if func == "Draft" and node.args:
                args.append(node.args[0])
            for arg in args:
                kinds |= {k for k in _values(arg, names) if re.fullmatch(r"[a-z]+(-[a-z]+)+", k)}
    return kinds


def test_every_kind_queued_in_the_code_has_a_label():
    kinds = _queued_kinds()
    # the scan finds the kinds of each feature that queues messages
    assert {"appointment-booked", "request-received", "matter-overdue", "notice-issued",
            "appointment-reminder", "appointment-moved-by-us"} <= kinds
    assert sorted(kinds - set(KIND_LABELS)) == []


@pytest.mark.parametrize("stored,words", [
    ("daily limit: 5 texts already sent to this phone today",
     "Not sent: this phone has had its 5 texts for today (the daily limit)."),
    ("gateway answered HTTP 503", "The text gateway refused the message (HTTP 503)."),
    ("gateway unreachable: URLError: <urlopen error timed out>",
     "The text gateway could not be reached."),
    ("no Alibaba Cloud template for kind 'request-received' (SERVICE_DESK_ALIYUN_SMS_TEMPLATES)",
     "No Alibaba Cloud text template is set for “Request received”."),
    ("Alibaba Cloud: isv.BUSINESS_LIMIT_CONTROL: 触发分钟级流控",
     "Alibaba Cloud SMS refused the message (isv.BUSINESS_LIMIT_CONTROL)."),
    ("SMTPRecipientsRefused: {'x@y': (550, b'no such user')}", "The mail server refused the address."),
    ("ConnectionRefusedError: [Errno 111] Connection refused", "The mail server could not be reached."),
    ("ValueError: something new", "Sending failed."),
])
def test_a_stored_failure_is_said_in_words_and_the_original_is_kept(app, stored, words):
    with app.test_request_context("/"), force_locale("en"):
        shown = shown_error(stored)
        assert (shown.words, shown.detail) == (words, stored)
        assert shown_error(None) is None and shown_error("") is None


def test_the_outbox_page_says_kinds_errors_and_settings_in_words(app, client, make_user):
    with app.app_context():
        queue_text(kind="request-received", phone="13800138000", subject="受理", body="b",
                   dedupe_key="request-received:1")
        queue_mail(kind="appointment-booked", to="a@zone.example", subject="s", body="b",
                   dedupe_key="appointment-booked:1")
        db.session.flush()
        row = db.session.scalar(select(Notification).where(Notification.kind == "request-received"))
        row.status, row.attempts = NotificationStatus.FAILED, 1
        row.last_error = "daily limit: 5 texts already sent to this phone today"
        db.session.commit()
    make_user("admin", username="root")
    client.set_cookie("lang", "en")
    login(client, "root")
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "Request received" in page and "Appointment booked" in page
    assert ">request-received<" not in page and ">appointment-booked<" not in page
    assert "this phone has had its 5 texts for today" in page
    assert "no mail server is set" in page and "<code>SERVICE_DESK_SMTP_URL</code>" in page
    assert "sending command" in page and "<code>service-desk notify</code>" in page
    assert 'class="outbox-table"' in page
