"""The signed link in a completion text that opens the rating page for one service.

Like the booking links it carries the reference and a keyed digest of the mobile number,
never the number itself; it stays valid for RATING_LINK_MAX_AGE (30 days by default).
"""
from __future__ import annotations

from flask import current_app

from ..booking.tokens import LinkError, _load, _serializer, phone_digest

RATING_SALT = "rating"


def rating_token(reference: str, phone: str) -> str:
    return _serializer(RATING_SALT).dumps([reference, phone_digest(phone)])


def rating_reference(token: str) -> tuple[str, str]:
    """(reference, phone digest); the caller checks the digest against the request."""
    value = _load(token, RATING_SALT, current_app.config["RATING_LINK_MAX_AGE"])
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, str) for v in value)):
        raise LinkError(expired=False)
    return value[0], value[1]
