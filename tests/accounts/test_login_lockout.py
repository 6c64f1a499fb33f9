"""The login lockout (issue 12, item 3): failures are counted in the database so simultaneous
wrong passwords cannot get more guesses than the limit; a locked, an unknown and a wrong
password get the same answer after the same work; and one client is slowed down long before
it could lock somebody else's account."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from service_desk.accounts import services
from service_desk.accounts.models import User
from service_desk.extensions import db

from ..factories import PASSWORD, login


def _locked(app, username: str) -> bool:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        return user.locked_until is not None


@pytest.mark.commits
def test_simultaneous_wrong_passwords_get_no_more_guesses_than_the_limit(app, make_user,
                                                                         monkeypatch):
    make_user("admin", username="boss")
    limit = app.config["LOGIN_MAX_FAILURES"]
    checked: list[str] = []
    real = services.check_password_hash

    def counting(stored, password):
        if stored != services._dummy_hash(app.config["PASSWORD_HASH_METHOD"]):  # a real check
            checked.append(password)
        return real(stored, password)

    monkeypatch.setattr(services, "check_password_hash", counting)
    barrier = threading.Barrier(3 * limit, timeout=30)

    def attempt(i: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                services.authenticate(username="boss", password=f"guess-{i}")
                db.session.commit()
            except Exception:  # noqa: BLE001 - SQLite may refuse a writer: that is not a guess
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(3 * limit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checked) <= limit
    assert _locked(app, "boss")


def test_locked_unknown_and_wrong_get_the_same_answer_after_the_same_work(app, client,
                                                                          make_user, monkeypatch):
    make_user("admin", username="boss")
    make_user("operator", username="op")
    with app.app_context():  # boss is locked
        user = db.session.scalar(select(User).where(User.username == "boss"))
        user.locked_until = services.utcnow() + services.dt.timedelta(minutes=15)
        db.session.commit()
    hashed: list[str] = []
    real = services.check_password_hash
    monkeypatch.setattr(services, "check_password_hash",
                        lambda stored, password: hashed.append(password) or real(stored, password))
    answers = {}
    for name, username in (("locked", "boss"), ("unknown", "nobody"), ("wrong", "op")):
        hashed.clear()
        response = login(client, username, "wrong-password-1")
        page = response.get_data(as_text=True)
        error = page.split('class="notice notice-error"', 1)[1].split("</p>", 1)[0]
        answers[name] = (response.status_code, error, len(hashed))
    assert answers["locked"] == answers["unknown"] == answers["wrong"]
    assert answers["wrong"][2] == 1  # one password hash checked in each case
    assert "locked until" not in answers["locked"][1]


def test_one_client_is_slowed_down_before_it_can_lock_an_account(app, make_user):
    make_user("admin", username="boss")
    attacker, owner = app.test_client(), app.test_client()
    # the production settings: 5 failures per client in 15 minutes, 20 to lock an account
    app.config.update(LOGIN_FAILURE_RATE_LIMIT="5 per 15 minutes", LOGIN_MAX_FAILURES=20)
    owner.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    try:
        codes = [login(attacker, "boss", f"guess-{i}").status_code for i in range(7)]
        locked = _locked(app, "boss")
        # the owner, from elsewhere, still signs in: five requests did not lock the account
        owner_signs_in = login(owner, "boss", PASSWORD).status_code
    finally:
        app.config.update(LOGIN_FAILURE_RATE_LIMIT="1000 per minute", LOGIN_MAX_FAILURES=5)
    assert codes[:5] == [422] * 5 and codes[5:] == [429, 429]
    assert not locked and owner_signs_in == 302


def test_failures_left_at_a_lowered_limit_lock_for_a_while_instead_of_for_ever(app, client,
                                                                               make_user):
    make_user("operator", username="op")
    with app.app_context():  # 7 failures counted, then the limit was lowered to 5
        user = db.session.scalar(select(User).where(User.username == "op"))
        user.failed_logins = 7
        db.session.commit()
    assert login(client, "op", PASSWORD).status_code == 422
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "op"))
        assert user.locked_until is not None and user.failed_logins == 0
        user.locked_until = services.utcnow() - services.dt.timedelta(seconds=1)  # time passes
        db.session.commit()
    assert login(client, "op", PASSWORD).status_code == 302
