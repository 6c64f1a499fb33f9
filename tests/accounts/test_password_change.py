"""Changing one's own password (/account/password): the current one first, the rule on the
new one, the other sessions end and this one stays signed in; wrong guesses are slowed."""
from __future__ import annotations

from werkzeug.security import check_password_hash

from ..factories import PASSWORD, audits, post_form, signed_in, user_id

URL = "/account/password"
NEW = "river-lantern-harbour"


def _change(client, current: str, new: str = NEW, confirm: str | None = None):
    return post_form(client, URL, {"current": current, "password": new,
                                   "confirm": new if confirm is None else confirm})


def _hash(app, username: str) -> str:
    from service_desk.accounts.models import User
    from service_desk.extensions import db

    with app.app_context():
        return db.session.get(User, user_id(app, username)).password_hash


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_wrong_current_password_is_a_form_error_and_is_audited(app, make_user):
    make_user("operator", username="wang")
    client = signed_in(app, "wang", lang="en")
    assert f'href="{URL}"' in client.get("/").get_data(as_text=True)  # the header's link
    before = _hash(app, "wang")
    response = _change(client, "not-my-password")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="current-error"' in html and "The current password is wrong." in html
    assert _hash(app, "wang") == before
    assert len(audits(app, "user.password_change_refused")) == 1


def test_the_rule_and_the_confirmation_are_form_errors(app, make_user):
    make_user("operator", username="wang")
    client = signed_in(app, "wang", lang="en")
    before = _hash(app, "wang")
    common = _change(client, PASSWORD, "password123")
    assert common.status_code == 422 and "commonly used" in common.get_data(as_text=True)
    short = _change(client, PASSWORD, "short-1")
    assert short.status_code == 422 and "at least 10" in short.get_data(as_text=True)
    differ = _change(client, PASSWORD, NEW, confirm=NEW + "x")
    assert differ.status_code == 422 and "not the same" in differ.get_data(as_text=True)
    same = _change(client, PASSWORD, PASSWORD)
    assert same.status_code == 422 and "same as the current" in same.get_data(as_text=True)
    assert _hash(app, "wang") == before


def test_a_change_ends_the_other_sessions_and_keeps_this_one(app, make_user):
    make_user("operator", username="wang")
    here, elsewhere = signed_in(app, "wang"), signed_in(app, "wang")
    response = _change(here, PASSWORD)
    assert response.status_code == 302
    assert here.get(URL).status_code == 200  # still signed in here
    assert elsewhere.get(URL).status_code == 302  # signed out there
    assert check_password_hash(_hash(app, "wang"), NEW)
    [event] = audits(app, "user.password_change")
    assert event.actor_label == "wang" and "scrypt" not in str(event.after or "")


def test_wrong_current_passwords_are_rate_limited(app, make_user):
    make_user("operator", username="wang")
    client = signed_in(app, "wang")
    app.config["LOGIN_FAILURE_RATE_LIMIT"] = "2 per minute"
    try:
        codes = [_change(client, f"guess-number-{i}").status_code for i in range(3)]
    finally:
        app.config["LOGIN_FAILURE_RATE_LIMIT"] = "1000 per minute"
    assert codes == [422, 422, 429]
