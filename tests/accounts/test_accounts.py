"""Sign-in, sign-out, lockout, sessions that really end, and the users CLI."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service_desk.accounts.models import Role, User
from service_desk.accounts.passwords import password_problems
from service_desk.audit.models import AuditEvent
from service_desk.extensions import db

from ..factories import PASSWORD, csrf_from, login, post_form


def test_a_supervisor_signs_in_and_sees_the_list(client, seeded, make_user):
    make_user("supervisor", username="sup")
    response = login(client, "sup", next_url="/matters/")
    assert response.status_code == 302 and response.headers["Location"] == "/matters/"
    html = client.get("/matters/").get_data(as_text=True)
    assert "S01" in html and "S13" in html
    assert "便民热线" in html


def test_passwords_are_stored_as_scrypt_hashes(ctx, make_user):
    make_user("admin", username="root1")
    user = db.session.scalar(select(User).where(User.username == "root1"))
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash


def test_a_wrong_password_says_so_in_words_and_keeps_the_username(client, make_user):
    make_user("operator", username="op")
    response = login(client, "op", "wrong-password")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="op"' in html
    assert "class=\"notice notice-error\"" in html
    assert client.get("/matters/").status_code == 302  # still signed out


def test_empty_fields_get_field_errors(client):
    page = client.get("/login")
    response = client.post("/login", data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.count('class="field-error"') == 2


def test_login_without_csrf_token_is_refused(client, make_user):
    make_user("operator", username="op")
    response = client.post("/login", data={"username": "op", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/matters/").status_code == 302


def test_repeated_failures_lock_the_account_even_for_the_right_password(app, client, make_user):
    make_user("operator", username="s1")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, "s1", "nope-nope-nope")
    locked = login(client, "s1", PASSWORD)
    assert locked.status_code == 422
    assert client.get("/matters/").status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "s1"))
        assert user.locked_until is not None
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.locked"))


def test_sign_in_starts_a_fresh_session(app, client, make_user):
    make_user("operator", username="op")
    with client.session_transaction() as sess:
        sess["planted"] = "by someone else"
    login(client, "op")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "op"))
        expected = f"{user.id}:{user.session_version}"
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"] == expected


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)",
    "http:/evil.example", " //evil.example",
])
def test_next_never_leaves_the_site(client, make_user, target):
    make_user("operator", username="op")
    response = login(client, "op", next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/hotline/"  # ignored: the operator's own work


def test_logout_ends_the_session_even_if_the_old_cookie_is_replayed(app, client, make_user):
    make_user("operator", username="op")
    login(client, "op")
    with client.session_transaction() as sess:
        stolen = dict(sess)
    page = client.get("/matters/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    replay = app.test_client()
    with replay.session_transaction() as sess:
        sess.update(stolen)
    assert replay.get("/matters/").status_code == 302


def test_deactivating_a_user_signs_them_out_everywhere(app, client, make_user):
    make_user("admin", username="boss")
    make_user("operator", username="op")
    victim = app.test_client()
    login(victim, "op")
    assert victim.get("/matters/").status_code == 200
    login(client, "boss")
    with app.app_context():
        op_id = db.session.scalar(select(User.id).where(User.username == "op"))
    response = post_form(client, f"/admin/users/{op_id}/deactivate", {}, page_url="/admin/users")
    assert response.status_code == 302
    assert victim.get("/matters/").status_code == 302
    assert login(victim, "op").status_code == 422


def test_cli_creates_users_from_stdin_and_refuses_bad_input(ctx, runner, seeded):
    ok = runner.invoke(args=["users", "create", "alice", "--role", "staff", "--unit",
                             "construction-bureau"], input="a-long-password\n")
    assert ok.exit_code == 0, ok.output
    alice = db.session.scalar(select(User).where(User.username == "alice"))
    assert alice.role is Role.STAFF and alice.unit.code == "construction-bureau"

    bad_role = runner.invoke(args=["users", "create", "bob", "--role", "king"], input="a-long-password\n")
    assert bad_role.exit_code != 0 and "Unknown role king" in bad_role.output
    bad_unit = runner.invoke(args=["users", "create", "bob", "--role", "staff", "--unit", "moon"],
                             input="a-long-password\n")
    assert bad_unit.exit_code != 0 and "Unknown unit “moon”" in bad_unit.output
    no_unit = runner.invoke(args=["users", "create", "bob", "--role", "staff"], input="a-long-password\n")
    assert no_unit.exit_code != 0 and "needs a unit" in no_unit.output
    short = runner.invoke(args=["users", "create", "bob", "--role", "admin"], input="short\n")
    assert short.exit_code != 0 and "at least" in short.output
    dup = runner.invoke(args=["users", "create", "alice", "--role", "admin"], input="a-long-password\n")
    assert dup.exit_code != 0 and "exists" in dup.output
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.username == "bob")) is None


def test_demo_accounts_are_created_once_with_printed_passwords(ctx, runner, seeded):
    first = runner.invoke(args=["demo-accounts"])
    assert first.exit_code == 0
    printed = re.findall(r"^\s+\w+\s+(demo-\w+)\s+(\S+)$", first.output, re.MULTILINE)
    assert len(printed) == 5  # one per role; each passes the password rule
    assert all(password_problems(pw, username=name) == [] for name, pw in printed), printed
    roles = {u.role for u in db.session.scalars(select(User))}
    assert roles == set(Role)
    second = runner.invoke(args=["demo-accounts"])
    assert "exist already" in second.output
    assert db.session.query(User).count() == 5


def test_api_tokens_are_printed_once_and_stored_hashed(ctx, runner, client, make_user):
    make_user("supervisor", username="sup")
    result = runner.invoke(args=["tokens", "create", "sup"])
    token = result.output.strip()
    from service_desk.accounts.models import ApiToken

    stored = db.session.scalar(select(ApiToken))
    assert stored.token_hash != token and len(stored.token_hash) == 64
    unknown = runner.invoke(args=["tokens", "create", "nobody"])
    assert unknown.exit_code != 0


def test_login_attempts_are_rate_limited_per_address(app, client, make_user):
    make_user("operator", username="op")
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        codes = [login(client, "op", "bad-password-x").status_code for _ in range(4)]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert codes[:3] == [422, 422, 422] and codes[3] == 429


# Sharing the counters through Redis between processes: tests/api/test_api_input.py runs two
# processes (a subprocess each, because the limiter is global to the interpreter).
