"""Open311 api_keys of client applications: only their SHA-256 is stored, so a key is shown
once, when it is made; a revoked key stops working at once."""
from __future__ import annotations

import secrets

from sqlalchemy import select

from ..accounts.models import ApiKey
from ..accounts.services import hash_token
from ..audit.services import audit_record
from ..db import utcnow
from ..extensions import db

NAME_MAX = 100


class ApiKeyError(ValueError):
    """A refused change to the api_keys (an empty name, an unknown key)."""


def api_key_create(*, name: str, actor: object = "cli") -> tuple[ApiKey, str]:
    """A new api_key for the client application ``name``; returns the row and the raw key."""
    name = (name or "").strip()
    if not name:
        raise ApiKeyError("give the client application's name")
    if len(name) > NAME_MAX:
        raise ApiKeyError(f"the name is too long ({NAME_MAX} characters at most)")
    raw = secrets.token_urlsafe(32)
    key = ApiKey(name=name, key_hash=hash_token(raw))
    db.session.add(key)
    db.session.flush()
    audit_record(actor=actor, action="api_key.create", obj_type="api_key", obj_id=key.id,
                 after={"name": name})
    return key, raw


def api_key_revoke(*, key_id: int, actor: object = "cli") -> ApiKey:
    """Revoke the api_key ``key_id``; revoking a revoked key changes nothing."""
    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise ApiKeyError(f"no api_key has the id {key_id}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        audit_record(actor=actor, action="api_key.revoke", obj_type="api_key", obj_id=key.id,
                     after={"name": key.name})
    return key


def api_keys_all() -> list[ApiKey]:
    return list(db.session.scalars(select(ApiKey).order_by(ApiKey.id)))


def api_key_for(raw: str | None) -> ApiKey | None:
    """The live key matching ``raw``, or None (unknown, revoked or empty alike)."""
    if not raw:
        return None
    return db.session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_token(raw),
                                                  ApiKey.revoked_at.is_(None)))
