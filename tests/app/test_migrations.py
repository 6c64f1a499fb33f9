"""Migrations: empty → head → base on this backend, and no drift between models and migrations."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from service_desk import create_app


# SQLite cannot reflect the expression index on finished requests (0016); PostgreSQL compares it
@pytest.mark.filterwarnings(
    "ignore:Skipped unsupported reflection of expression-based index:sqlalchemy.exc.SAWarning")
@pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index:UserWarning")
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
