"""Migrations: empty → head → base on this backend, and no drift between models and migrations."""
from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from service_desk import create_app
from service_desk.config import normalise_db_url

from ..conftest import BACKEND, PG_URL


@pytest.fixture
def scratch_url(tmp_path):
    """A database of its own, so the shared test schema is left alone."""
    if BACKEND != "postgres":
        yield "sqlite:///" + str(tmp_path / "migrations.sqlite3")
        return
    name = f"sd_migr_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_db_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = normalise_db_url(PG_URL).rpartition("/")
    yield f"{base}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_from_empty_to_head_matches_the_models_and_downgrades_to_base(scratch_url, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": scratch_url})
    app.instance_path = str(tmp_path)
    from service_desk.extensions import db

    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        tables = set(inspect(db.engine).get_table_names())
        assert {"matters", "units", "users", "audit_events", "service_requests"} <= tables
        assert diff == [], f"models and migrations drift: {diff}"

        downgrade(revision="base")
        left = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert left == set()
        db.session.remove()
        db.engine.dispose()


def test_0005_moves_the_call_back_answer_out_of_the_history_note_and_back(scratch_url, tmp_path):
    """A request called back before 0005 keeps its answer: the code leaves the note for its
    own column on the way up, and comes back into the note on the way down."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": scratch_url})
    app.instance_path = str(tmp_path)
    from service_desk.extensions import db

    with app.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO units (id, code, name, kind, is_active) VALUES (1, 'u', '单位', 'bureau', true)"))
            conn.execute(text(
                "INSERT INTO services (id, code, name, kind, is_active, channels, eligible_groups)"
                " VALUES (1, 's', '热线', 'dispatch', true, '[]', '[]')"))
            conn.execute(text(
                "INSERT INTO service_requests (id, reference, service_id, channel, status,"
                " resident_name, resident_phone, is_synthetic, created_at, updated_at, version)"
                " VALUES (1, 'CB000001', 1, 'phone', 'called_back', '王', '13812345678', false,"
                " '2026-11-02 01:00:00+00:00', '2026-11-02 01:00:00+00:00', 1)"))
            conn.execute(text(
                "INSERT INTO request_events (request_id, at, action, note) VALUES"
                " (1, '2026-11-02 02:00:00+00:00', 'called_back', 'satisfied: 居民说灯修好了')"))
        upgrade()
        with db.engine.connect() as conn:
            row = conn.execute(text("SELECT callback_answer, callback_note FROM service_requests"
                                    " WHERE id = 1")).one()
            note = conn.execute(text("SELECT note FROM request_events WHERE request_id = 1")).scalar()
            assert conn.execute(text("SELECT called_back_at FROM service_requests")).scalar()
        assert tuple(row) == ("satisfied", "居民说灯修好了") and note == "居民说灯修好了"
        downgrade(revision="0004")
        with db.engine.connect() as conn:
            note = conn.execute(text("SELECT note FROM request_events WHERE request_id = 1")).scalar()
        assert note == "satisfied: 居民说灯修好了"
        db.session.remove()
        db.engine.dispose()
