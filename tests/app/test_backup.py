"""`service-desk backup FILE` and `restore FILE`: a backup restored into an empty database
holds every row of every table; wrong files, full databases and bad paths are refused with a
message, never a traceback.

Marked ``commits``: the commands commit, pg_dump reads over its own connection, and a restore
replaces whole tables.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import sqlite3

import pytest
from sqlalchemy import column, create_engine, select, table, text
from sqlalchemy.engine import make_url

from service_desk import backup as backup_module
from service_desk import create_app
from service_desk.accounts.models import User
from service_desk.audit.models import AuditEvent
from service_desk.config import normalise_db_url
from service_desk.extensions import db
from service_desk.permissions import Role

from ..factories import report

pytestmark = pytest.mark.commits

ALEMBIC = table("alembic_version", column("version_num"))
FILLED = {"units", "users", "api_tokens", "matters", "matter_updates", "services", "slots",
          "service_requests", "request_events", "ratings", "notifications", "audit_events",
          "opening_hours", "campaign_figures", "key_projects", "alembic_version"}


def _make_data(app, runner, make_user) -> None:
    """Rows in many tables, through the app's own commands and services."""
    from service_desk.ratings.models import RatingSource
    from service_desk.ratings.services import rating_give
    from service_desk.requests.models import ServiceRequest

    assert runner.invoke(args=["seed"]).exit_code == 0
    make_user("staff", "gov-service-centre", username="demo-staff")
    make_user("admin")
    assert runner.invoke(args=["tokens", "create", "demo-staff"]).exit_code == 0
    assert runner.invoke(args=["demo-hours"]).exit_code == 0
    assert runner.invoke(args=["demo-bookings"]).exit_code == 0
    made = runner.invoke(args=["demo-data", "--matters", "3", "--updates-per-matter", "2",
                               "--appointments", "5"])
    assert made.exit_code == 0, made.output
    report(app, description="路灯不亮，晚上看不清路")
    with app.app_context():
        item = db.session.scalar(select(ServiceRequest).where(
            ServiceRequest.reference == "DEMO0001"))
        rating_give(request=item, level=5, comment="很耐心", source=RatingSource.LINK,
                    now=dt.datetime.now(dt.UTC))
        db.session.commit()
        db.session.remove()


def _rows(app) -> dict[str, list[tuple]]:
    """Every row of every table (and alembic_version), in a stable order."""
    with app.app_context():
        found = {t.name: sorted((tuple(r) for r in db.session.execute(select(t))), key=repr)
                 for t in db.metadata.sorted_tables}
        found["alembic_version"] = [tuple(r) for r in db.session.execute(select(ALEMBIC))]
        db.session.remove()
    return found


def _target_app(url: str, tmp_path):
    target = create_app({"TESTING": True, "ENV_NAME": "testing", "SECRET_KEY": "test-secret",
                         "DATABASE_URL": url, "RATELIMIT_STORAGE_URI": "memory://"})
    target.instance_path = str(tmp_path / "target-instance")
    return target


def _restored_matches(source: dict[str, list[tuple]], target_app) -> None:
    """The target holds exactly the source's rows, plus the audit row of the restore."""
    restored = _rows(target_app)
    assert {name for name, rows in source.items() if rows} >= FILLED  # the data is there
    assert set(restored) == set(source)
    with target_app.app_context():
        restore_ids = db.session.scalars(select(AuditEvent.id).where(
            AuditEvent.action == "database.restore", AuditEvent.actor_label == "cli")).all()
        db.session.remove()
    assert len(restore_ids) == 1
    restored["audit_events"] = [r for r in restored["audit_events"] if r[0] != restore_ids[0]]
    for name, rows in source.items():
        assert restored[name] == rows, name


def _backup(runner, path, *extra) -> None:
    result = runner.invoke(args=["backup", str(path), *extra])
    assert result.exit_code == 0, result.output
    assert "backed up" in result.output


def _dialect(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


# ---- the round trip -------------------------------------------------------------------------

@contextlib.contextmanager
def _empty_database(app, database_url, tmp_path):
    """An app on a new, empty database of the suite's backend (no migrations run there):
    a new SQLite file, or a new PostgreSQL database dropped afterwards."""
    if _dialect(app) == "sqlite":
        url, admin, name = "sqlite:///" + str(tmp_path / "empty.sqlite3"), None, None
    else:
        name = f"sd_restore_{secrets.token_hex(4)}"
        admin = create_engine(normalise_db_url(database_url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    target = _target_app(url, tmp_path)
    try:
        yield target
    finally:
        with target.app_context():
            db.engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def test_backup_restores_every_row_into_an_empty_database(app, runner, make_user, database_url,
                                                          tmp_path):
    """SQLite through its online backup, PostgreSQL through pg_dump and pg_restore."""
    _make_data(app, runner, make_user)
    before = _rows(app)
    path = tmp_path / "desk.backup"
    _backup(runner, path)
    magic = b"SQLite format 3\x00" if _dialect(app) == "sqlite" else b"PGDMP"
    assert path.read_bytes().startswith(magic)
    assert path.stat().st_mode & 0o077 == 0  # residents' phones: the owner's only
    assert not list(tmp_path.glob("*.tmp"))
    with app.app_context():  # the backup is audited in the database it came from
        assert db.session.scalar(select(AuditEvent.after).where(
            AuditEvent.action == "database.backup"))["file"] == str(path)
        db.session.remove()

    with _empty_database(app, database_url, tmp_path) as target:
        result = target.test_cli_runner().invoke(args=["restore", str(path)])
        assert result.exit_code == 0, result.output
        assert "restored" in result.output and "upgrade" not in result.output
        _restored_matches(before, target)
        # what is now a full database is refused without --replace
        again = target.test_cli_runner().invoke(args=["restore", str(path)])
        assert again.exit_code == 1 and "--replace" in again.output
        if _dialect(app) == "postgresql":
            # pg_restore would wait for ever behind the app's sessions: refused while they last
            with target.app_context():
                app_engine = create_engine(db.engine.url)
            with app_engine.connect() as still_running:
                still_running.execute(select(1))
                busy = target.test_cli_runner().invoke(args=["restore", str(path), "--replace"])
            app_engine.dispose()
            _refused(busy, "1 other sessions are connected", "stop the app")


def test_restore_replace_puts_back_what_was_changed_after_the_backup(app, runner, make_user,
                                                                     database_url, tmp_path):
    make_user("admin", username="kept")
    path = tmp_path / "before.backup"
    _backup(runner, path)
    with _empty_database(app, database_url, tmp_path) as target:
        cli = target.test_cli_runner()
        assert cli.invoke(args=["restore", str(path)]).exit_code == 0
        with target.app_context():
            db.session.add(User(username="added-later", password_hash="x", role=Role.ADMIN))
            db.session.commit()
            db.session.remove()

        refused = cli.invoke(args=["restore", str(path)])
        _refused(refused, "not empty", "--replace")
        assert len(_rows(target)["users"]) == 2  # nothing changed

        replaced = cli.invoke(args=["restore", str(path), "--replace"])
        assert replaced.exit_code == 0, replaced.output
        with target.app_context():
            assert set(db.session.scalars(select(User.username))) == {"kept"}
            after = db.session.scalar(select(AuditEvent.after).where(
                AuditEvent.action == "database.restore"))
            db.session.remove()
        assert after["replace"] is True and after["file"] == str(path)


def test_a_backup_of_older_code_asks_for_an_upgrade(app, runner, database_url, tmp_path):
    """Its audit table may lack columns this code writes: the restore says to upgrade and
    leaves the audit row to after it."""
    path = tmp_path / "old.backup"
    with app.app_context():
        head = db.session.scalar(select(ALEMBIC.c.version_num))
        db.session.execute(ALEMBIC.update().values(version_num="0001"))
        db.session.commit()
    try:
        _backup(runner, path)
    finally:
        with app.app_context():
            db.session.execute(ALEMBIC.update().values(version_num=head))
            db.session.commit()
            db.session.remove()
    with _empty_database(app, database_url, tmp_path) as target:
        result = target.test_cli_runner().invoke(args=["restore", str(path)])
        assert result.exit_code == 0, result.output
        assert "schema revision 0001" in result.output
        assert "run `service-desk db upgrade` now" in result.output
        restored = _rows(target)["audit_events"]
        assert not [r for r in restored if "database.restore" in r]
        assert restored == [r for r in _rows(app)["audit_events"] if "database.backup" not in r]


# ---- refusals -------------------------------------------------------------------------------

def _refused(result, *words) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert "Error:" in result.output
    for word in words:
        assert word in result.output


def test_restore_refuses_a_file_that_is_no_backup(app, runner, tmp_path):
    garbage = tmp_path / "notes.txt"
    garbage.write_bytes(b"not a database at all\n" * 10)
    _refused(runner.invoke(args=["restore", str(garbage)]), "is not a backup")
    _refused(runner.invoke(args=["restore", str(tmp_path / "missing.backup")]), "does not exist")
    _refused(runner.invoke(args=["restore", str(tmp_path)]), "is a directory")


def test_restore_refuses_the_other_backends_backup(app, runner, tmp_path):
    other = tmp_path / "other.backup"
    if _dialect(app) == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00\x04\x08\x01\x01" + b"\x00" * 64)
        expected = "is a PostgreSQL backup, but this database is SQLite"
    else:
        with sqlite3.connect(other) as conn:
            conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
        expected = "is a SQLite backup, but this database is PostgreSQL"
    _refused(runner.invoke(args=["restore", str(other)]), expected)


def test_a_sqlite_file_of_another_application_or_damaged_is_no_backup(tmp_path):
    """Checked before the database is touched (PostgreSQL refuses any SQLite file earlier)."""
    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    with pytest.raises(backup_module.BackupError, match="no alembic_version table"):
        backup_module._sqlite_open_backup(str(foreign))
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    with pytest.raises(backup_module.BackupError, match="damaged.sqlite3"):
        backup_module._sqlite_open_backup(str(damaged))


def test_backup_refuses_to_overwrite_without_force_and_bad_paths(app, runner, tmp_path):
    existing = tmp_path / "existing.backup"
    existing.write_bytes(b"yesterday's backup")
    _refused(runner.invoke(args=["backup", str(existing)]), "exists", "--force")
    assert existing.read_bytes() == b"yesterday's backup"

    _backup(runner, existing, "--force")
    assert existing.read_bytes()[:5] in (b"PGDMP", b"SQLit")

    missing = tmp_path / "no-such-dir" / "desk.backup"
    _refused(runner.invoke(args=["backup", str(missing)]), "does not exist")
    assert not missing.parent.exists()
    _refused(runner.invoke(args=["backup", str(tmp_path)]), "is a directory")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        result = runner.invoke(args=["backup", str(locked / "desk.backup")])
        if result.exit_code == 0:  # root writes anywhere: nothing to refuse
            assert (locked / "desk.backup").exists()
        else:
            _refused(result, "cannot write")
    finally:
        locked.chmod(0o700)
    assert not list(tmp_path.rglob("*.tmp"))  # no half-written file left behind


# ---- PostgreSQL's tools -------------------------------------------------------------------

def test_the_password_goes_to_the_environment_not_the_command_line(app, monkeypatch):
    with app.app_context():
        monkeypatch.setitem(app.config, "SQLALCHEMY_DATABASE_URI",
                            "postgresql+psycopg://desk:s%40cret@db.internal:5433/desk"
                            "?sslmode=require")
        conninfo, env = backup_module._pg_connection()
    assert conninfo == "postgresql://desk@db.internal:5433/desk?sslmode=require"
    assert env["PGPASSWORD"] == "s@cret"


@pytest.mark.postgres
def test_missing_or_old_pg_dump_is_a_clear_error(app, runner, monkeypatch, tmp_path):
    real = backup_module._server_major
    monkeypatch.setattr(backup_module.shutil, "which", lambda name: None)
    _refused(runner.invoke(args=["backup", str(tmp_path / "a.dump")]),
             "pg_dump is not installed", "postgresql-client-")
    monkeypatch.undo()
    monkeypatch.setattr(backup_module, "_server_major", lambda: real() + 1)
    _refused(runner.invoke(args=["backup", str(tmp_path / "a.dump")]),
             "must be at least the server's version")
    assert not list(tmp_path.iterdir())
