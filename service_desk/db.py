"""Declarative base, metadata naming convention, the UTC datetime type, and plain rows
inserted several to a statement (insert_rows)."""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from functools import cache
from typing import Any

from sqlalchemy import (
    DateTime,
    Engine,
    Enum,
    MetaData,
    Table,
    TypeDecorator,
    bindparam,
    event,
    insert,
)
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def ping_when_idle(engine: Engine, *, idle_seconds: float) -> None:
    """Check a pooled connection before use only when it sat in the pool longer than
    ``idle_seconds``: pool_pre_ping's round trip on every checkout cost a quarter of a cached
    API call's CPU (issue 13). A connection broken while in steady use (the database restarted)
    fails its next request, which answers 503, and SQLAlchemy then replaces the pool's
    connections; a failed check here is retried by the pool on a new connection."""

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, proxy) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since <= idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the driver's own error: any means the connection is gone
            raise DisconnectionError() from exc
        if alive is False:
            raise DisconnectionError()


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every backend.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zone type and hands back naive
    values, so we store UTC there and re-attach the zone when reading. Naive input is
    refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware datetime (UTC)")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dt.datetime: UTCDateTime()},
    )


def enum_type(enum_cls: type, name: str | None = None) -> Enum:
    """Store a Python Enum by its value as a checked VARCHAR (same on SQLite and PostgreSQL).

    ``name`` names the CHECK constraint; give one when a table has two columns of one enum.
    """
    return Enum(
        enum_cls,
        values_callable=lambda members: [m.value for m in members],
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=32,
        name=name or enum_cls.__name__.lower(),
    )


# --- several rows, one statement ---------------------------------------------------------------

_INSERT_ALL: dict[tuple, Any] = {}  # by the rows' tables and keys


def insert_rows(session: Session, rows: Iterable[tuple[Table, dict]]) -> None:
    """Insert plain rows that nothing reads back (a change's history, text and audit rows):
    on PostgreSQL in one statement, as data-modifying WITH queries, one round trip instead of
    one each and no unit of work (issue 13: the ORM's flush of three objects cost a tenth of a
    booking's CPU); elsewhere one INSERT each. The session's pending changes go first, in the
    order the ORM would have flushed them."""
    session.flush()
    rows = list(rows)
    if len(rows) > 1 and session.connection().dialect.name == "postgresql":
        rows = [(table, with_defaults(table, values)) for table, values in rows]
        params = {f"r{i}_{key}": value
                  for i, (_, values) in enumerate(rows) for key, value in values.items()}
        session.execute(_insert_all(tuple((table, tuple(values)) for table, values in rows)),
                        params)
    else:
        for table, values in rows:
            session.execute(_insert(table), values)


def with_defaults(table: Table, values: dict) -> dict:
    """The values with the columns' Python-side defaults filled in (a text's status, its
    created_at…): an INSERT inside WITH is given every value it writes."""
    out = dict(values)
    for key, default in _defaults(table):
        if key in out:
            continue
        if default.is_scalar:
            out[key] = default.arg
        elif default.is_callable:
            out[key] = default.arg(None)  # SQLAlchemy's wrapper of a plain callable
    return out


@cache
def _defaults(table: Table) -> tuple:
    # the columns with a Python-side default, found once: every booking fills three rows
    return tuple((column.key, column.default) for column in table.columns
                 if column.default is not None)


@cache
def _insert(table: Table):
    return insert(table).inline()  # inline: no RETURNING of the new id


def _insert_all(shape: tuple[tuple[Table, tuple[str, ...]], ...]):
    """WITH r0 AS (INSERT …), r1 AS (INSERT …) … INSERT … (the last row), the values of row
    i bound as r{i}_{column}."""
    stmt = _INSERT_ALL.get(shape)
    if stmt is None:
        inserts = [insert(table).values({key: bindparam(f"r{i}_{key}") for key in keys})
                   for i, (table, keys) in enumerate(shape)]
        stmt = _INSERT_ALL[shape] = inserts[-1].inline().add_cte(
            *(row.cte(f"r{i}") for i, row in enumerate(inserts[:-1])))
    return stmt
