"""0013 carries the ledger's data over: a project's status becomes its stage, a done milestone
gets its planned date as its actual one, construction/production become construction_start/
opening, and a leader's account can be stored; and back down again."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from service_desk import create_app


def test_0013_maps_status_to_stage_and_done_to_an_actual_date(scratch_url, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": scratch_url})
    app.instance_path = str(tmp_path)
    from service_desk.extensions import db

    with app.app_context():
        upgrade(revision="0012")
        with db.engine.begin() as conn:
            for pid, status in ((1, "negotiating"), (2, "signed"), (3, "operating"), (4, None)):
                conn.execute(text(
                    "INSERT INTO key_projects (id, code, name, status, is_synthetic, created_at)"
                    " VALUES (:id, :code, '项目', :status, false, '2026-11-02 01:00:00+00:00')"),
                    {"id": pid, "code": f"p{pid}", "status": status})
            for mid, kind, done in ((1, "signing", True), (2, "construction", False),
                                    (3, "production", False)):
                conn.execute(text(
                    "INSERT INTO project_milestones (id, project_id, kind, planned_on, precision,"
                    " done) VALUES (:id, 2, :kind, '2021-01-01', 'quarter', :done)"),
                    {"id": mid, "kind": kind, "done": done})
        upgrade(revision="0013")
        with db.engine.begin() as conn:
            stages = dict(conn.execute(text("SELECT id, stage FROM key_projects")).all())
            assert stages == {1: "attraction", 2: "approval", 3: "opened", 4: None}
            rows = {r.id: r for r in conn.execute(text(
                "SELECT id, kind, actual_on, actual_precision FROM project_milestones"))}
            assert str(rows[1].actual_on) == "2021-01-01" and rows[1].actual_precision == "quarter"
            assert rows[2].kind == "construction_start" and rows[2].actual_on is None
            assert rows[3].kind == "opening"
            versions = {r[0] for r in conn.execute(text("SELECT version FROM key_projects"))}
            assert versions == {1}
            conn.execute(text(
                "INSERT INTO users (id, username, password_hash, role, is_active, session_version,"
                " failed_logins, created_at) VALUES (9, 'lead', 'x', 'leader', true, 1, 0,"
                " '2026-11-02 01:00:00+00:00')"))
            conn.execute(text("UPDATE key_projects SET leader_user_id = 9 WHERE id = 2"))
        downgrade(revision="0012")
        with db.engine.begin() as conn:
            statuses = dict(conn.execute(text("SELECT id, status FROM key_projects")).all())
            assert statuses == {1: "negotiating", 2: "signed", 3: "operating", 4: None}
            kinds = dict(conn.execute(text("SELECT id, kind FROM project_milestones")).all())
            assert kinds == {1: "signing", 2: "construction", 3: "production"}
            done = dict(conn.execute(text("SELECT id, done FROM project_milestones")).all())
            assert {k: bool(v) for k, v in done.items()} == {1: True, 2: False, 3: False}
            role, active = conn.execute(text(
                "SELECT role, is_active FROM users WHERE id = 9")).one()
            assert role == "operator" and not active
        db.session.remove()
        db.engine.dispose()
