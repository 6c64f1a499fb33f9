"""Pooled connections are checked before use only after sitting idle (issue 13): the
pre-ping round trip on every checkout was a quarter of a cached API call's CPU."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from service_desk.db import ping_when_idle


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'ping.sqlite3'}")
    yield engine
    engine.dispose()


def _pings(engine, monkeypatch, *, fail_first: bool = False) -> list[int]:
    calls: list[int] = []
    original = engine.dialect.do_ping

    def counting(dbapi_connection):
        calls.append(id(dbapi_connection))
        if fail_first and len(calls) == 1:
            raise engine.dialect.loaded_dbapi.OperationalError("server closed the connection")
        return original(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counting)
    return calls


def test_a_connection_in_steady_use_is_not_pinged(engine, monkeypatch):
    ping_when_idle(engine, idle_seconds=60)
    calls = _pings(engine, monkeypatch)
    for _ in range(5):
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    assert calls == []


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(engine, monkeypatch):
    ping_when_idle(engine, idle_seconds=0)
    calls = _pings(engine, monkeypatch, fail_first=True)
    with engine.connect() as conn:  # a new connection: nothing to check
        first = conn.connection.dbapi_connection
    assert calls == []
    with engine.connect() as conn:  # idle since: checked, found dead, replaced
        assert conn.execute(text("SELECT 1")).scalar() == 1
        assert conn.connection.dbapi_connection is not first
    assert len(calls) == 1


def test_the_app_pings_idle_connections_only(app):
    """The app's engine: no pool_pre_ping on every checkout, the idle check instead."""
    from service_desk.extensions import db

    assert not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping")
    with app.app_context():
        assert not db.engine.pool._pre_ping
