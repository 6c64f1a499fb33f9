"""0012 marks existing history: an import's change log is generated, a seed's note is the
article's sentence; a person's words (an import's own 最新进展) stay a person's."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from service_desk import create_app

NOTES = {
    1: ("seed", "progress", None, "文章原句。"),  # the seed's note: the item's article sentence
    2: ("import", "import", None, "导入工作台账：进度：40 → 60"),
    3: ("import", "import", None, "Ledger import: 进度: 40 → 60"),
    4: ("import", "import", None, "通过导入工作台账新增。"),
    5: ("import", "import", None, "停车场划线已完成"),  # the file's own 最新进展
    6: ("seed", "progress", None, "另一句话"),  # not the item's sentence
}


def test_0012_marks_generated_logs_and_the_articles_sentences(scratch_url, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": scratch_url})
    app.instance_path = str(tmp_path)
    from service_desk.extensions import db

    with app.app_context():
        upgrade(revision="0011")
        with db.engine.begin() as conn:
            for matter_id, origin in ((1, "seed"), (2, "import")):
                conn.execute(text(
                    "INSERT INTO matters (id, number, title, status, progress, is_public, origin,"
                    " is_synthetic, created_at, updated_at, version, source_quote) VALUES"
                    " (:id, :n, '事项', 'in_progress', 60, true, :origin, false,"
                    " '2026-11-02 01:00:00+00:00', '2026-11-02 01:00:00+00:00', 1, '文章原句。')"),
                    {"id": matter_id, "n": f"N{matter_id}", "origin": origin})
            for update_id, (origin, kind, _author, note) in NOTES.items():
                conn.execute(text(
                    "INSERT INTO matter_updates (id, matter_id, created_at, note, kind, is_public,"
                    " is_synthetic) VALUES (:id, :m, '2026-11-02 01:00:00+00:00', :note, :kind,"
                    " true, false)"),
                    {"id": update_id, "m": 1 if origin == "seed" else 2, "note": note,
                     "kind": kind})
        upgrade()
        with db.engine.connect() as conn:
            rows = {r.id: (bool(r.is_generated), bool(r.from_article)) for r in conn.execute(
                text("SELECT id, is_generated, from_article FROM matter_updates"))}
            assert conn.execute(text("SELECT source_quotes FROM matters WHERE id = 1")).scalar() is None
        assert rows == {1: (False, True), 2: (True, False), 3: (True, False), 4: (True, False),
                        5: (False, False), 6: (False, False)}
        downgrade(revision="0011")
        db.session.remove()
        db.engine.dispose()
