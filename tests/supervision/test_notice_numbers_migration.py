"""0011 numbers the notices issued before it, per year of issue in the zone, in order of issue."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from service_desk import create_app


def test_0011_numbers_earlier_notices_by_the_zones_year_and_back(scratch_url, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": scratch_url})
    app.instance_path = str(tmp_path)
    from service_desk.extensions import db

    with app.app_context():
        upgrade(revision="0010")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO units (id, code, name, kind, is_active) VALUES (1, 'u', '单位', 'bureau', true)"))
            conn.execute(text(
                "INSERT INTO matters (id, number, title, status, progress, is_public, origin,"
                " is_synthetic, created_at, updated_at, version) VALUES (1, 'S01', '事项',"
                " 'in_progress', 0, true, 'seed', false, '2025-01-01 00:00:00+00:00',"
                " '2025-01-01 00:00:00+00:00', 1)"))
            # 2025-12-31 17:00 UTC is 2026-01-01 01:00 in Shanghai: a 2026 notice
            for notice_id, issued in ((1, "2025-06-01 02:00:00+00:00"),
                                      (2, "2025-12-31 17:00:00+00:00"),
                                      (3, "2025-03-01 02:00:00+00:00"),
                                      (4, "2026-02-01 02:00:00+00:00")):
                conn.execute(text(
                    "INSERT INTO supervision_notices (id, matter_id, unit_id, issued_at, body,"
                    " reply_due) VALUES (:id, 1, 1, :at, '催办', '2026-12-31')"),
                    {"id": notice_id, "at": issued})
        upgrade(revision="0011")
        with db.engine.connect() as conn:
            numbers = dict(conn.execute(text(
                "SELECT id, year || '-' || serial FROM supervision_notices")).all())
        assert numbers == {3: "2025-1", 1: "2025-2", 2: "2026-1", 4: "2026-2"}
        uniques = inspect(db.engine).get_unique_constraints("supervision_notices")
        assert [u["column_names"] for u in uniques] == [["year", "serial"]]
        downgrade(revision="0010")
        columns = {c["name"] for c in inspect(db.engine).get_columns("supervision_notices")}
        assert "serial" not in columns and "year" not in columns
        db.session.remove()
        db.engine.dispose()
