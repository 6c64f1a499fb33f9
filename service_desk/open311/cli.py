"""`service-desk api-keys create NAME | list | revoke ID`: Open311 api_keys of client
applications (stored hashed: a new key is printed once)."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from ..base.calendar import zone
from ..extensions import db

api_keys = click.Group("api-keys", help="Open311 api_keys of client applications.")


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@api_keys.command("create")
@click.argument("name")
@with_appcontext
def api_keys_create(name: str) -> None:
    """Print a new api_key for the client application NAME (shown only now)."""
    from .keys import ApiKeyError, api_key_create

    try:
        _, raw = api_key_create(name=name)
        db.session.commit()
    except ApiKeyError as exc:
        db.session.rollback()
        _fail(str(exc))
    click.echo(raw)


@api_keys.command("list")
@with_appcontext
def api_keys_list() -> None:
    """Each key's id, state, creation time and name (never the key itself)."""
    
    from .keys import api_keys_all

    tz = zone()
    for key in api_keys_all():
        state = "revoked" if key.revoked_at else "active"
        created = key.created_at.astimezone(tz).isoformat(timespec="minutes")
        click.echo(f"{key.id}\t{state}\t{created}\t{key.name}")


@api_keys.command("revoke")
@click.argument("key_id", type=int)
@with_appcontext
def api_keys_revoke(key_id: int) -> None:
    """Revoke the api_key KEY_ID (see `api-keys list`): it stops working at once."""
    from .keys import ApiKeyError, api_key_revoke

    try:
        key = api_key_revoke(key_id=key_id)
        db.session.commit()
    except ApiKeyError as exc:
        db.session.rollback()
        _fail(str(exc))
    click.echo(f"revoked {key.id} {key.name}")
