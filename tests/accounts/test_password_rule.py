"""The password rule (accounts.passwords.password_problems) and the service that applies
it: short, common, the username, one character repeated are refused in words; a good one
passes. The other channels (CLI, own change, admin pages) are driven in their own files."""
from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest
from sqlalchemy import func, select

import service_desk
from service_desk.accounts import passwords
from service_desk.accounts.models import Role, User
from service_desk.accounts.passwords import (
    COMMON_PASSWORDS,
    common_passwords,
    generate_password,
    password_problems,
)
from service_desk.accounts.services import AccountError, user_create
from service_desk.extensions import db

from ..factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _english(ctx):
    """The messages are compared in English; outside a request the app's default is zh_CN.
    (After ``ctx``: Flask-Babel forces the locale of the app context current then.)"""
    from flask_babel import force_locale

    with force_locale("en"):
        yield

BAD = {
    "short": ("Short-pw1", "at least 10 characters"),
    "common": ("password123", "commonly used"),
    "common, other case": ("PassWord123", "commonly used"),
    "common, long": ("1q2w3e4r5t", "commonly used"),
    "the username": ("li.xiuying", "username"),
    "contains the username": ("xLI.XIUYINGx2026", "username"),
    "one character": ("aaaaaaaaaaaa", "one character repeated"),
    "too long": ("x" * 129 + "yz", "at most 128"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_password_gets_its_reason_in_words(ctx, case):
    password, words = BAD[case]
    problems = [str(p) for p in password_problems(password, username="li.xiuying")]
    assert any(words in p for p in problems), problems


def test_a_good_password_passes_and_every_problem_is_listed_at_once(ctx):
    assert password_problems(PASSWORD, username="li.xiuying") == []
    assert password_problems("river-lantern-42", username="li.xiuying") == []
    # a two-letter name is inside too many good passwords to refuse them for it
    assert password_problems("correct-horse-battery", username="or") == []
    # short, the username, one character repeated
    assert len(password_problems("ÿÿÿÿ", username="ÿÿÿÿ")) == 3


def test_the_common_list_ships_with_the_package_and_is_read_once(ctx):
    assert COMMON_PASSWORDS.is_relative_to(Path(service_desk.__file__).parent)
    assert len(common_passwords()) > 19000 and "password123" in common_passwords()
    assert (COMMON_PASSWORDS.parent / "LICENSE-common-passwords.txt").exists()
    common_passwords.cache_clear()
    for _ in range(3):
        password_problems("something-else-entirely")
    assert common_passwords.cache_info().misses == 1
    # setuptools' package-data must take the data files into a built wheel
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())[
        "tool"]["setuptools"]["package-data"]["*"]
    inside = COMMON_PASSWORDS.relative_to(Path(passwords.__file__).parent).as_posix()
    assert any(fnmatch(inside, pattern) for pattern in patterns), patterns


def test_generated_passwords_pass_the_rule_and_differ(ctx):
    made = {generate_password(username="abc") for _ in range(200)}
    assert len(made) == 200
    assert all(password_problems(p, username="abc") == [] for p in made)
    assert all(len(p) == 14 and "0" not in p and "l" not in p for p in made)


@pytest.mark.parametrize("case", ["short", "common", "the username", "one character"])
def test_the_service_refuses_a_bad_password_and_stores_nothing(ctx, case):
    password, words = BAD[case]
    with pytest.raises(AccountError) as refused:
        user_create(username="li.xiuying", password=password, role=Role.OPERATOR, actor="test")
    assert list(refused.value.errors) == ["password"] and words in str(refused.value)
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_the_service_lists_every_problem_of_a_new_account_by_field(ctx, seeded, make_user):
    make_user("operator", username="taken")
    with pytest.raises(AccountError) as refused:
        user_create(username="taken", password="password123", role=Role.STAFF, email="not-mail",
                    mobile="12345", actor="test")
    assert set(refused.value.errors) == {"username", "password", "unit", "email", "mobile"}
    assert "exists already" in str(refused.value)


def test_the_service_stores_a_good_password_hashed_with_the_contacts(ctx, seeded):
    user = user_create(username="li.xiuying", password=PASSWORD, role=Role.STAFF,
                       unit_code="gov-service-centre", email=" li@example.gov.cn ",
                       mobile="+86 138 1234 5678", actor="test")
    assert user.password_hash.startswith("scrypt:")
    assert (user.email, user.mobile) == ("li@example.gov.cn", "13812345678")
