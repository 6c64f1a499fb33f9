"""Accounts in the web UI (/admin/users): create, edit, reset a password, deactivate and
reactivate; administrators only; the password rule and the contact checks as form errors,
never a 500; every change audited without a password hash; mobiles masked in the list."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from service_desk.accounts.models import Role, User
from service_desk.accounts.passwords import password_problems
from service_desk.accounts.services import account_fingerprint
from service_desk.extensions import db

from ..factories import PASSWORD, audits, csrf_from, post_form, signed_in, user_id

NEW = "/admin/users/new"
GOOD = "river-lantern-harbour"


@pytest.fixture
def root(app, seeded, make_user):
    """An administrator's client, English pages."""
    make_user("admin", username="root")
    return signed_in(app, "root", lang="en")


def _user(app, username: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is not None:
            db.session.expunge(user)
        return user


def _create(client, **fields):
    data = {"username": "li.xiuying", "display_name": "李秀英", "role": "staff",
            "unit": "gov-service-centre", "email": "", "mobile": "13812345678",
            "password": GOOD, "confirm": GOOD, **fields}
    return post_form(client, NEW, {k: v for k, v in data.items() if v is not None})


def _edit_data(app, username: str, **fields) -> dict:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        data = {"display_name": user.display_name or "", "role": user.role.value,
                "unit": user.unit.code if user.unit else "", "email": user.email or "",
                "mobile": user.mobile or "", "fingerprint": account_fingerprint(user)}
    return {**data, **fields}


def _field_error(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-error">(.*?)</p>', html, re.DOTALL)
    return match.group(1) if match else ""


def test_only_administrators_reach_the_account_pages(app, seeded, make_user):
    make_user("supervisor", username="sup")
    target = user_id(app, "sup")
    urls = [NEW, f"/admin/users/{target}/edit", f"/admin/users/{target}/password"]
    anonymous, supervisor = app.test_client(), signed_in(app, "sup")
    for url in urls:
        assert anonymous.get(url).status_code == 302
        assert anonymous.get(url).headers["Location"].startswith("/login")
        assert supervisor.get(url).status_code == 403
    token = csrf_from(supervisor.get("/").get_data(as_text=True))
    for action in ("deactivate", "reactivate", "password", "edit"):
        response = supervisor.post(f"/admin/users/{target}/{action}",
                                   data={"csrf_token": token, "role": "admin"})
        assert response.status_code == 403, action
    assert _user(app, "sup").role is Role.SUPERVISOR and audits(app, "user.update") == []


def test_creating_an_account_with_contacts_is_audited_and_the_list_masks_the_mobile(app, root):
    response = _create(root, email="li@example.gov.cn")
    assert response.status_code == 302, _field_error(response.get_data(as_text=True), "unit")
    user = _user(app, "li.xiuying")
    assert (user.role, user.unit.code, user.mobile, user.email) == (
        Role.STAFF, "gov-service-centre", "13812345678", "li@example.gov.cn")
    event = audits(app, "user.create")[-1]
    assert event.actor_label == "root" and event.after["mobile"] == "138****5678"
    assert "password" not in str(event.after) and "scrypt" not in str(event.after)
    html = root.get("/admin/users").get_data(as_text=True)
    assert "138****5678" in html and "13812345678" not in html


BAD_NEW = [
    ({"unit": ""}, "unit", "needs a unit"),
    ({"unit": "moon"}, "unit", "Unknown unit"),
    ({"role": "king"}, "role", "Unknown role"),
    ({"mobile": "12345"}, "mobile", "11 digits"),
    ({"mobile": "010 6512 3456"}, "mobile", "11 digits"),  # a landline
    ({"email": "li at example"}, "email", "mail address"),
    ({"password": "password123", "confirm": "password123"}, "password", "commonly used"),
    ({"password": "li.xiuying", "confirm": "li.xiuying"}, "password", "username"),
    ({"password": "Short-pw1", "confirm": "Short-pw1"}, "password", "at least 10"),
    ({"confirm": GOOD + "x"}, "confirm", "not the same"),
    ({"password": "", "confirm": ""}, "password", "Generate a password"),
    ({"username": "li xiuying"}, "username", "no spaces"),
    ({"username": ""}, "username", "Enter a username"),
    ({"display_name": "名" * 101}, "display_name", "100 characters"),
]


def test_bad_input_is_a_form_error_and_creates_nothing(app, root):
    for fields, field, words in BAD_NEW:  # one signed-in client: hashing is slow
        response = _create(root, **fields)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, fields
        assert words in _field_error(html, field), (fields, _field_error(html, field))
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.username != "root")) is None


def test_a_taken_username_is_a_form_error(app, root, make_user):
    make_user("operator", username="li.xiuying")
    response = _create(root)
    assert response.status_code == 422
    assert "exists already" in _field_error(response.get_data(as_text=True), "username")
    assert len(audits(app, "user.create")) == 2  # the fixtures' accounts only


def test_a_generated_first_password_is_shown_once_and_works(app, root):
    response = _create(root, role="operator", unit="", password="", confirm="", generate="y")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = re.search(r'<code id="new-password"[^>]*>([^<]+)</code>', html).group(1)
    assert password_problems(password, username="li.xiuying") == []
    assert check_password_hash(_user(app, "li.xiuying").password_hash, password)
    assert password not in root.get("/admin/users").get_data(as_text=True)


def test_editing_changes_the_details_with_before_and_after_in_the_audit(app, root, make_user):
    make_user("operator", username="wang")
    target = user_id(app, "wang")
    data = _edit_data(app, "wang", role="staff", unit="construction-bureau",
                      email="wang@example.gov.cn", mobile="139 0000 1111", display_name="王芳")
    response = post_form(root, f"/admin/users/{target}/edit", data)
    assert response.status_code == 302
    user = _user(app, "wang")
    assert (user.role, user.unit.code, user.mobile) == (Role.STAFF, "construction-bureau",
                                                        "13900001111")
    [event] = audits(app, "user.update")
    assert event.before == {"role": "operator", "unit": None, "email": None, "mobile": None,
                            "display_name": None}
    assert event.after["mobile"] == "139****1111" and event.after["role"] == "staff"


def test_a_stale_or_forged_edit_form_is_refused_and_saves_nothing(app, root, make_user):
    make_user("operator", username="wang")
    target = user_id(app, "wang")
    opened = _edit_data(app, "wang", display_name="王芳")
    with app.app_context():  # someone else saves meanwhile
        db.session.get(User, target).email = "other@example.gov.cn"
        db.session.commit()
    stale = post_form(root, f"/admin/users/{target}/edit", opened)
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "changed this account" in html
    assert "other@example.gov.cn" in html  # the form shows the account as it is now
    forged = post_form(root, f"/admin/users/{target}/edit", {**opened, "fingerprint": "1e999"})
    assert forged.status_code == 409
    assert _user(app, "wang").display_name is None and audits(app, "user.update") == []


def test_bad_edits_are_form_errors(app, root):
    me = user_id(app, "root")
    for fields, field, words in [({"mobile": "1381234567"}, "mobile", "11 digits"),
                                 ({"email": "@example"}, "email", "mail address"),
                                 ({"role": "staff", "unit": ""}, "unit", "needs a unit"),
                                 ({"role": "operator"}, "role", "your own account")]:
        response = post_form(root, f"/admin/users/{me}/edit", _edit_data(app, "root", **fields))
        assert response.status_code == 422, fields
        assert words in _field_error(response.get_data(as_text=True), field), fields
    assert _user(app, "root").role is Role.ADMIN and audits(app, "user.update") == []


def test_a_password_reset_applies_the_rule_and_signs_the_user_out(app, root, make_user):
    make_user("operator", username="wang")
    victim = signed_in(app, "wang")
    url = f"/admin/users/{user_id(app, 'wang')}/password"
    common = post_form(root, url, {"password": "qwertyuiop", "confirm": "qwertyuiop"})
    assert common.status_code == 422
    assert "commonly used" in _field_error(common.get_data(as_text=True), "password")
    assert victim.get("/account/password").status_code == 200  # nothing happened yet

    made = post_form(root, url, {"generate": "y"})
    password = re.search(r'<code id="new-password"[^>]*>([^<]+)</code>',
                         made.get_data(as_text=True)).group(1)
    assert made.headers["Cache-Control"] == "no-store"
    assert check_password_hash(_user(app, "wang").password_hash, password)
    assert victim.get("/account/password").status_code == 302  # signed out
    [event] = audits(app, "user.password_reset")
    assert event.actor_label == "root" and not event.after


def test_an_admin_resets_their_own_password_only_by_proving_the_current_one(app, root):
    response = root.post(f"/admin/users/{user_id(app, 'root')}/password",
                         data={"csrf_token": csrf_from(root.get("/").get_data(as_text=True)),
                               "password": GOOD, "confirm": GOOD})
    assert response.status_code == 302 and response.headers["Location"] == "/account/password"
    assert check_password_hash(_user(app, "root").password_hash, PASSWORD)


def test_deactivate_and_reactivate(app, root, make_user):
    make_user("operator", username="wang")
    target, me = user_id(app, "wang"), user_id(app, "root")
    assert post_form(root, f"/admin/users/{me}/deactivate", {}, "/").status_code == 302
    assert _user(app, "root").is_active  # not one's own account
    post_form(root, f"/admin/users/{target}/deactivate", {}, "/")
    assert not _user(app, "wang").is_active
    assert "Reactivate wang" in root.get("/admin/users").get_data(as_text=True)
    post_form(root, f"/admin/users/{target}/reactivate", {}, "/")
    assert _user(app, "wang").is_active
    [event] = audits(app, "user.reactivate")
    assert event.before == {"active": False} and event.after == {"active": True}
    signed_in(app, "wang")  # signs in again


def test_an_unknown_account_is_404(root):
    for url in ["/admin/users/99999/edit", "/admin/users/99999/password",
                "/admin/users/" + "9" * 30 + "/edit"]:
        assert root.get(url).status_code == 404, url
