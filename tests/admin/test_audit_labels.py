"""The audit trail says each action, object and field in words of the page's language, with
the record as stored folded away; every action recorded in the code has a label."""
from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from service_desk.audit.labels import ACTION_LABELS, audit_details
from service_desk.audit.services import audit_record
from service_desk.extensions import db

from ..factories import login

SOURCE = Path(__file__).resolve().parents[2] / "service_desk"


def _strings(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _recorded_actions() -> tuple[set[str], set[str]]:
    """Literal actions, and the f-string patterns (with what each becomes, read from the
    code around it)."""
    literal, patterns = set(), set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "audit_record"):
                continue
            for keyword in node.keywords:
                if keyword.arg != "action":
                    continue
                value = keyword.value
                if isinstance(value, ast.Constant):
                    literal.add(value.value)
                elif isinstance(value, ast.JoinedStr):
                    patterns.add(ast.unparse(value))
                elif isinstance(value, ast.Subscript):  # a module's table of actions
                    name = ast.unparse(value.value)
                    table = next(n for n in ast.walk(tree) if isinstance(n, ast.Assign)
                                 and ast.unparse(n.targets[0]) == name)
                    literal |= {s for s in _strings(table.value) if "." in s}
                else:
                    pytest.fail(f"{path}: an action the test cannot read: {ast.unparse(value)}")
    return literal, patterns


# each f-string action in the code, and what it becomes
EXPANSIONS = {
    "f'extension.{verdict}'": {"extension.approved", "extension.refused"},
    "f'rectification.{action}'": {"rectification.appeal_upheld", "rectification.appeal_rejected"},
    "f'user.{reason}'": {"user.password_change", "user.password_reset", "user.deactivate",
                         "user.logout"},
}


def test_every_action_recorded_in_the_code_has_a_label():
    literal, patterns = _recorded_actions()
    assert patterns <= set(EXPANSIONS), f"a new f-string action: {patterns - set(EXPANSIONS)}"
    # the reasons passed to end_sessions are the ones expanded above
    reasons = set(re.findall(r'end_sessions\([^)]*reason="(\w+)"', "\n".join(
        p.read_text(encoding="utf-8") for p in SOURCE.rglob("*.py"))))
    assert {f"user.{r}" for r in reasons} == EXPANSIONS["f'user.{reason}'"]
    actions = literal | set().union(*EXPANSIONS.values())
    assert {"closure.add", "service.settings", "appointment.arrive", "notice.issue"} <= actions
    assert sorted(actions - set(ACTION_LABELS)) == []


def test_details_show_what_changed_with_labels(app):
    with app.test_request_context("/"), force_locale("en"):
        rows = audit_details({"status": "in_progress", "progress": 40, "version": 1},
                             {"status": "in_progress", "progress": 60, "version": 2,
                              "note": "加派人手", "whatever_new": True})
        assert [(r.label, r.before, r.after) for r in rows] == [
            ("Progress (%)", "40", "60"), ("Version", "1", "2"), ("Note", None, "加派人手"),
            ("whatever_new", None, "Yes")]
        assert not rows[-1].labelled
        only_after = audit_details(None, {"service": "appointment", "date": "2026-12-24",
                                          "reason": None, "due_at": "2026-12-15T10:00:00+00:00",
                                          "role": "admin"},
                                   {"role": {"admin": "Administrator"}})
        assert [(r.label, r.after) for r in only_after] == [
            ("Service", "appointment"), ("Date", "2026-12-24"), ("Reason", "—"),
            ("Due", "2026-12-15 18:00"), ("Role", "Administrator")]


def test_the_audit_page_speaks_in_words_and_keeps_the_record(app, client, make_user):
    make_user("admin", username="root")
    make_user("supervisor", username="sup")
    with app.app_context():
        audit_record(actor="test", action="closure.add", obj_type="closure", obj_id=7,
                     after={"service": "appointment", "date": "2026-12-24", "reason": "盘点"})
        audit_record(actor="test", action="service.settings", obj_type="service",
                     obj_id="appointment", before={"capacity": 2, "book_ahead_days": 14},
                     after={"capacity": 3, "book_ahead_days": 14})
        db.session.commit()
    client.set_cookie("lang", "en")
    login(client, "root")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Closure added" in page and "Service settings changed" in page
    assert "<code>closure.add</code>" not in page and ">closure.add<" not in page
    assert "Places per time" in page and "Date" in page and "盘点" in page
    # the unchanged field is not listed; the record as stored is, folded away
    assert "Days ahead residents may book" not in page
    assert "As recorded" in page and '"capacity": 3' in html.unescape(page)
    # codes in words: the account's role, its unit's name
    assert "Supervisor" in page and "gov-service-centre" not in page.split("As recorded")[0]
