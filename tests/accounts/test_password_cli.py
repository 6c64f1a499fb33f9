"""The password rule on the command line: `users create`, `users reset-password` and the
passwords `demo-accounts` makes up."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from service_desk.accounts.models import User
from service_desk.accounts.passwords import password_problems
from service_desk.extensions import db

from ..factories import PASSWORD, audits

REFUSED = [("short", "Short-pw1", "at least 10 characters"),
           ("common", "password123", "commonly used"),
           ("username", "li.xiuying", "must not be or contain the username")]


@pytest.mark.parametrize("case,password,words", REFUSED, ids=[c[0] for c in REFUSED])
def test_users_create_refuses_a_bad_password_in_english(ctx, runner, case, password, words):
    result = runner.invoke(args=["users", "create", "li.xiuying", "--role", "operator"],
                           input=password + "\n")
    assert result.exit_code == 1 and words in result.output, result.output
    assert db.session.scalar(select(User).where(User.username == "li.xiuying")) is None


def test_users_create_takes_a_good_password_and_the_contacts(ctx, runner, seeded):
    result = runner.invoke(args=["users", "create", "li.xiuying", "--role", "staff", "--unit",
                                 "gov-service-centre", "--mobile", "13812345678"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "li.xiuying"))
    assert user.mobile == "13812345678" and user.email is None
    bad = runner.invoke(args=["users", "create", "wang", "--role", "operator", "--mobile", "110"],
                        input=PASSWORD + "\n")
    assert bad.exit_code == 1 and "mobile number of 11 digits" in bad.output


def test_reset_password_applies_the_rule_and_ends_the_sessions(app, ctx, runner, make_user):
    make_user("operator", username="wang.fang")
    user = db.session.scalar(select(User).where(User.username == "wang.fang"))
    before = (user.password_hash, user.session_version)

    common = runner.invoke(args=["users", "reset-password", "wang.fang"], input="qwertyuiop\n")
    assert common.exit_code == 1 and "commonly used" in common.output
    unknown = runner.invoke(args=["users", "reset-password", "nobody"], input=PASSWORD + "\n")
    assert unknown.exit_code == 1 and "unknown user" in unknown.output
    db.session.expire_all()
    assert (user.password_hash, user.session_version) == before

    made = runner.invoke(args=["users", "reset-password", "wang.fang", "--generate"])
    assert made.exit_code == 0, made.output
    password = made.output.strip().rsplit(" ", 1)[-1]
    assert password_problems(password, username="wang.fang") == []
    db.session.expire_all()
    assert check_password_hash(user.password_hash, password)
    assert user.session_version == before[1] + 1
    [event] = audits(app, "user.password_reset")
    assert event.actor_label == "cli" and "scrypt" not in str(event.after or "")
