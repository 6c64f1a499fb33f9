"""Account rules: creating users, checking passwords, lockout, ending sessions."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app
from sqlalchemy import or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit.services import audit_record
from ..db import utcnow
from ..extensions import db
from ..units.models import Unit
from .models import ApiToken, Role, User

MIN_PASSWORD_LENGTH = 10
# verifying against this when the user is unknown keeps the timing the same
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class AccountError(ValueError):
    """A rule about accounts was broken; the message is shown to the person asking."""


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise AccountError(f"unknown role {value!r}; use one of: {allowed}") from None


def user_create(
    *, username: str, password: str, role: Role, unit_code: str | None = None,
    display_name: str | None = None, actor: object = "cli",
) -> User:
    username = username.strip()
    if not username:
        raise AccountError("the username is empty")
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"user {username!r} exists already")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    unit = None
    if unit_code:
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise AccountError(f"unknown unit {unit_code!r}")
    if role is Role.STAFF and unit is None:
        raise AccountError("a staff account needs --unit: the unit it works for")
    user = User(
        username=username, password_hash=hash_password(password), role=role,
        unit_id=unit.id if unit else None, display_name=display_name,
    )
    db.session.add(user)
    db.session.flush()
    audit_record(actor=actor, action="user.create", obj_type="user", obj_id=user.id,
                 after={"username": username, "role": role.value, "unit": unit_code})
    return user


class LoginResult:
    def __init__(self, user: User | None) -> None:
        self.user = user


def _reserve_attempt(user_id: int, now: dt.datetime) -> int | None:
    """Count this attempt before the password is checked, in one guarded UPDATE: simultaneous
    tries each take one of the LOGIN_MAX_FAILURES places, so no more passwords are checked
    than the limit. None when the account is locked or its places are taken."""
    return db.session.execute(
        update(User).where(User.id == user_id,
                           or_(User.locked_until.is_(None), User.locked_until <= now),
                           User.failed_logins < current_app.config["LOGIN_MAX_FAILURES"])
        .values(failed_logins=User.failed_logins + 1).returning(User.failed_logins)
        .execution_options(synchronize_session=False)).scalar()


def _lock_if_used_up(user_id: int, now: dt.datetime) -> None:
    """Failures at the limit with no lock in force (the limit was lowered meanwhile): lock
    now, so the account opens again after LOGIN_LOCK_MINUTES instead of never."""
    until = now + dt.timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    db.session.execute(
        update(User).where(User.id == user_id,
                           or_(User.locked_until.is_(None), User.locked_until <= now),
                           User.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"])
        .values(locked_until=until, failed_logins=0)
        .execution_options(synchronize_session=False))


def authenticate(*, username: str, password: str) -> LoginResult:
    """Check a password; repeated failures lock the account for a while (stored in the DB,
    so every app process sees the same lock).

    An unknown account, a locked one and a wrong password look the same to the caller and
    cost the same: one password hash is checked in each case."""
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    now = utcnow()
    if user is None or not user.is_active:
        check_password_hash(_DUMMY_HASH, password)
        return LoginResult(None)
    attempts = _reserve_attempt(user.id, now)
    if attempts is None:  # locked: nothing is checked, but it takes as long as a check
        _lock_if_used_up(user.id, now)
        check_password_hash(_DUMMY_HASH, password)
        return LoginResult(None)
    if check_password_hash(user.password_hash, password):
        db.session.execute(update(User).where(User.id == user.id).values(
            failed_logins=0, locked_until=None, last_login_at=now)
            .execution_options(synchronize_session=False))
        db.session.refresh(user)
        audit_record(actor=user, action="user.login", obj_type="user", obj_id=user.id)
        return LoginResult(user)
    if attempts >= current_app.config["LOGIN_MAX_FAILURES"]:
        until = now + dt.timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        db.session.execute(update(User).where(User.id == user.id).values(
            locked_until=until, failed_logins=0).execution_options(synchronize_session=False))
        audit_record(actor=None, action="user.locked", obj_type="user", obj_id=user.id,
                     after={"locked_until": until.isoformat()})
    return LoginResult(None)


def end_sessions(*, user: User, actor: object, reason: str) -> None:
    """Invalidate every session of this user (logout, password change, deactivation)."""
    user.session_version += 1
    audit_record(actor=actor, action=f"user.{reason}", obj_type="user", obj_id=user.id)


def user_deactivate(*, user: User, actor: object) -> None:
    user.is_active = False
    end_sessions(user=user, actor=actor, reason="deactivate")


TOKEN_LABEL_MAX = 100


def token_create(*, user: User, actor: object = "cli", label: str | None = None) -> str:
    """A new bearer token; only its hash is kept, so it is shown once. It acts as ``user``:
    the same role and unit, checked on every call."""
    if not user.is_active:
        raise AccountError("a deactivated account cannot have tokens")
    label = (label or "").strip()[:TOKEN_LABEL_MAX] or None
    raw = secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, token_hash=hash_token(raw), label=label)
    db.session.add(token)
    db.session.flush()
    audit_record(actor=actor, action="token.create", obj_type="user", obj_id=user.id,
                 after={"token": token.id, "label": label})
    return raw


def token_revoke(*, token: ApiToken, actor: object) -> None:
    """Revoked at once: the next call with it answers 401. Revoking twice changes nothing."""
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    audit_record(actor=actor, action="token.revoke", obj_type="user", obj_id=token.user_id,
                 after={"token": token.id, "label": token.label})


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def user_for_token(raw: str) -> User | None:
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(raw), ApiToken.revoked_at.is_(None))
    )
    if token is None or not token.user.is_active:
        return None
    return token.user
