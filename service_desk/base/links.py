"""Signed, expiring links: a booking's done page, a resident's "my booking" page and the
rating link of a completion text.

A reference code alone must not open a booking, so links carry a token signed with the
app's secret key. The manage and rating tokens bind the reference to a keyed digest of the
mobile number (never the number itself: a URL ends up in browser history, server logs and
text messages).
"""
from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

DONE_SALT = "booking"
MANAGE_SALT = "manage"
RATING_SALT = "rating"
DONE_MAX_AGE = 2 * 24 * 3600  # the confirmation page and its .ics: two days
MANAGE_MAX_AGE = 3600  # "my booking" after a lookup: one hour


class LinkError(Exception):
    """The link is not one we made, or it is too old."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _load(token: str, salt: str, max_age: int):
    try:
        return _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkError(expired=True) from exc
    except BadSignature as exc:
        raise LinkError(expired=False) from exc


def phone_digest(phone: str) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, b"booking-phone:" + phone.encode(), hashlib.sha256).hexdigest()[:24]


def done_token(reference: str) -> str:
    return _serializer(DONE_SALT).dumps(reference)


def done_reference(token: str) -> str:
    value = _load(token, DONE_SALT, current_app.config.get("BOOKING_DONE_MAX_AGE", DONE_MAX_AGE))
    if not isinstance(value, str):
        raise LinkError(expired=False)
    return value


def manage_token(reference: str, phone: str) -> str:
    return _serializer(MANAGE_SALT).dumps([reference, phone_digest(phone)])


def manage_reference(token: str) -> tuple[str, str]:
    """(reference, phone digest); the caller checks the digest against the booking."""
    value = _load(token, MANAGE_SALT,
                  current_app.config.get("BOOKING_MANAGE_MAX_AGE", MANAGE_MAX_AGE))
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, str) for v in value)):
        raise LinkError(expired=False)
    return value[0], value[1]


def phone_matches(digest: str, phone: str) -> bool:
    return hmac.compare_digest(digest, phone_digest(phone))


def rating_token(reference: str, phone: str) -> str:
    """Valid for RATING_LINK_MAX_AGE (30 days by default)."""
    return _serializer(RATING_SALT).dumps([reference, phone_digest(phone)])


def rating_reference(token: str) -> tuple[str, str]:
    """(reference, phone digest); the caller checks the digest against the request."""
    value = _load(token, RATING_SALT, current_app.config["RATING_LINK_MAX_AGE"])
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, str) for v in value)):
        raise LinkError(expired=False)
    return value[0], value[1]


def safe_next(target: str | None) -> str:
    """Only same-site paths: never an absolute URL, //host, a backslash trick, or a control
    character (a CR or LF would split the Location header: an error after signing in)."""
    if not target:
        return url_for("main.home")
    target = target.strip()
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or 0xD800 <= ord(ch) < 0xE000
           for ch in target):
        return url_for("main.home")
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc or not target.startswith("/")
            or target.startswith("//") or "\\" in target):
        return url_for("main.home")
    return target
