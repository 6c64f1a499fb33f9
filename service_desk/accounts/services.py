"""Account rules: creating and changing users, setting passwords (the rule is
passwords.password_problems), lockout, ending sessions."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit.services import audit_record
from ..base.inputs import storable_text
from ..base.phones import mask_phone, normalise_mobile
from ..db import utcnow
from ..extensions import db
from ..units.models import Unit
from .models import ApiToken, Role, User
from .passwords import password_problems

USERNAME_MAX = 64
DISPLAY_NAME_MAX = 100
EMAIL_MAX = 255
# a plain shape check: the real test of an address is the mail reaching it
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


class AccountError(ValueError):
    """A rule about accounts was broken; the messages are shown to the person asking.

    ``errors`` maps a form field (``username``, ``password``, ``role``, ``unit``, ``email``,
    ``mobile``, ``display_name``; "" for none) to its messages, so a page can put each one
    beside its field and the command line can print them all."""

    def __init__(self, message=None, field: str = "", *, errors: dict | None = None) -> None:
        self.errors: dict[str, list] = errors or {field: [message]}
        super().__init__(str(self))

    def __str__(self) -> str:
        return " ".join(str(m) for messages in self.errors.values() for m in messages)


def field_messages(exc: AccountError) -> dict[str, str]:
    """``{field: "message. message."}`` for base.forms.apply_errors."""
    return {field: " ".join(str(m) for m in messages) for field, messages in exc.errors.items()}


class StaleAccount(AccountError):
    """The account changed after the form was opened: nothing was saved."""


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@functools.cache
def _dummy_hash(method: str) -> str:
    """Checked when the user is unknown or locked, so those cost what a real check costs."""
    return generate_password_hash("not-a-real-password", method=method)


def _check_nothing(password: str) -> None:
    check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise AccountError(_l("Unknown role %(role)s; use one of: %(allowed)s.",
                              role=value, allowed=allowed), "role") from None


def password_check(password: str, *, username: str | None) -> None:
    """The password rule (passwords.password_problems) as an AccountError on ``password``."""
    problems = password_problems(password, username=username)
    if problems:
        raise AccountError(errors={"password": problems})


def _text(value: str | None) -> str:
    return (value or "").strip()


def _check_username(username: str, errors: dict[str, list]) -> str:
    username = _text(username)
    if not username:
        errors.setdefault("username", []).append(_l("Enter a username."))
    elif len(username) > USERNAME_MAX or any(c.isspace() for c in username) \
            or not storable_text(username):
        errors.setdefault("username", []).append(_l(
            "A username has at most %(num)d characters and no spaces.", num=USERNAME_MAX))
    elif db.session.scalar(select(User.id).where(User.username == username)) is not None:
        errors.setdefault("username", []).append(_l(
            "An account named “%(name)s” exists already.", name=username))
    return username


def _check_unit(role: Role | None, unit_code: str | None,
                errors: dict[str, list]) -> Unit | None:
    unit = None
    code = _text(unit_code)
    if code:
        unit = db.session.scalar(select(Unit).where(Unit.code == code))
        if unit is None:
            errors.setdefault("unit", []).append(_l("Unknown unit “%(code)s”.", code=code))
            return None
    if role is Role.STAFF and unit is None and "unit" not in errors:
        errors.setdefault("unit", []).append(_l(
            "A staff account needs a unit: the unit it works for."))
    return unit


def _check_details(display_name: str | None, email: str | None, mobile: str | None,
                   errors: dict[str, list]) -> tuple[str | None, str | None, str | None]:
    """Display name, mail address and mobile as stored (None when empty), or errors."""
    name, address, phone = _text(display_name), _text(email), _text(mobile)
    if len(name) > DISPLAY_NAME_MAX or not storable_text(name):
        errors.setdefault("display_name", []).append(_l(
            "A display name has at most %(num)d characters.", num=DISPLAY_NAME_MAX))
    if address and (len(address) > EMAIL_MAX or not _EMAIL.fullmatch(address)):
        errors.setdefault("email", []).append(_l(
            "Enter a mail address such as name@example.gov.cn, or leave it empty."))
    number = normalise_mobile(phone) if phone else None
    if phone and number is None:
        errors.setdefault("mobile", []).append(_l(
            "Enter a mainland China mobile number of 11 digits, such as 13812345678, "
            "or leave it empty."))
    return name or None, address or None, number


def _unit_code(user: User) -> str | None:
    return user.unit.code if user.unit_id is not None and user.unit is not None else None


def account_details(user: User) -> dict:
    """What the audit trail records of an account: never the password hash, and the mobile
    masked, as in every list."""
    return {"username": user.username, "display_name": user.display_name,
            "role": user.role.value, "unit": _unit_code(user), "email": user.email,
            "mobile": mask_phone(user.mobile) or None, "active": user.is_active}


def account_fingerprint(user: User) -> str:
    """The editable details as one short string: an edit form carries the one it was opened
    with, and saving refuses when the account changed meanwhile (optimistic concurrency
    without a version column that logins would bump)."""
    return hashlib.sha256(json.dumps(_editable(user)).encode()).hexdigest()[:16]


def _editable(user: User) -> list:
    return [user.display_name, user.role.value, user.unit_id, user.email, user.mobile,
            user.is_active]


def user_create(
    *, username: str, password: str, role: Role, unit_code: str | None = None,
    display_name: str | None = None, email: str | None = None, mobile: str | None = None,
    actor: object = "cli",
) -> User:
    """A new account; every problem at once (AccountError.errors). Flushes, audited."""
    errors: dict[str, list] = {}
    username = _check_username(username, errors)
    problems = password_problems(password, username=username)
    if problems:
        errors["password"] = problems
    unit = _check_unit(role, unit_code, errors)
    name, address, number = _check_details(display_name, email, mobile, errors)
    if errors:
        raise AccountError(errors=errors)
    user = User(
        username=username, password_hash=hash_password(password), role=role,
        unit_id=unit.id if unit else None, unit=unit, display_name=name, email=address,
        mobile=number,
    )
    db.session.add(user)
    db.session.flush()
    audit_record(actor=actor, action="user.create", obj_type="user", obj_id=user.id,
                 after=account_details(user))
    return user


def _actor_is(actor: object, user: User) -> bool:
    return getattr(actor, "id", None) == user.id


def user_update(
    *, user: User, actor: object, role: Role, unit_code: str | None,
    display_name: str | None, email: str | None, mobile: str | None,
    expected: str | None = None,
) -> bool:
    """Change an account's details; False when nothing changed. An administrator cannot
    take the administrator role from their own account (someone must keep it). With
    ``expected`` (the form's account_fingerprint), a change made meanwhile raises StaleAccount.
    Flushes, audited with before and after."""
    if expected is not None and expected != account_fingerprint(user):
        raise StaleAccount(_l("Someone changed this account after you opened the form. "
                              "Its details are shown as they are now; make your change "
                              "again."))
    errors: dict[str, list] = {}
    if _actor_is(actor, user) and user.role is Role.ADMIN and role is not Role.ADMIN:
        errors.setdefault("role", []).append(_l(
            "You cannot take the administrator role from your own account."))
    unit = _check_unit(role, unit_code, errors)
    name, address, number = _check_details(display_name, email, mobile, errors)
    if errors:
        raise AccountError(errors=errors)
    if _editable(user) == [name, role.value, unit.id if unit else None, address, number,
                           user.is_active]:
        return False
    before = account_details(user)
    user.role, user.unit_id, user.unit = role, unit.id if unit else None, unit
    user.display_name, user.email, user.mobile = name, address, number
    after = account_details(user)
    db.session.flush()
    audit_record(actor=actor, action="user.update", obj_type="user", obj_id=user.id,
                 before={k: v for k, v in before.items() if after[k] != v},
                 after={k: v for k, v in after.items() if before[k] != v})
    return True


def password_change(*, user: User, current: str, new: str) -> None:
    """The user sets a new password, proving the current one. A wrong current password is
    audited and raises AccountError on ``current``; every other session ends."""
    if not check_password_hash(user.password_hash, current or ""):
        audit_record(actor=user, action="user.password_change_refused", obj_type="user",
                     obj_id=user.id)
        raise AccountError(_l("The current password is wrong."), "current")
    password_check(new, username=user.username)
    if new == current:
        raise AccountError(_l("The new password is the same as the current one."), "password")
    user.password_hash = hash_password(new)
    end_sessions(user=user, actor=user, reason="password_change")


def password_reset(*, user: User, password: str, actor: object) -> None:
    """An administrator (or the command line) sets a new password for ``user``; the user's
    sessions end, and a lock after failed sign-ins is lifted. Audited, without the password."""
    password_check(password, username=user.username)
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    end_sessions(user=user, actor=actor, reason="password_reset")


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
        _check_nothing(password)
        return LoginResult(None)
    attempts = _reserve_attempt(user.id, now)
    if attempts is None:  # locked: nothing is checked, but it takes as long as a check
        _lock_if_used_up(user.id, now)
        _check_nothing(password)
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
    """Sign-ins, sessions and API tokens stop working; nothing is deleted. An administrator
    cannot deactivate their own account."""
    if _actor_is(actor, user):
        raise AccountError(_l("You cannot deactivate your own account."))
    user.is_active = False
    end_sessions(user=user, actor=actor, reason="deactivate")


def user_reactivate(*, user: User, actor: object) -> bool:
    """The account may sign in again (with its old password; reset it if that was lost).
    False when it was active already."""
    if user.is_active:
        return False
    user.is_active, user.failed_logins, user.locked_until = True, 0, None
    audit_record(actor=actor, action="user.reactivate", obj_type="user", obj_id=user.id,
                 before={"active": False}, after={"active": True})
    return True


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
