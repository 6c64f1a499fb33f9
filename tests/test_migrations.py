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

from .conftest import BACKEND, PG_URL


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
