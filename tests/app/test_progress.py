"""Long commands show progress on a terminal and print only their result elsewhere (cron
mails every line). The terminal is a real pseudo-terminal standing in for standard error."""
from __future__ import annotations

import contextlib
import os
import pty
import secrets
import select

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from service_desk import create_app
from service_desk.base import progress as progress_module
from service_desk.config import normalise_db_url
from service_desk.extensions import db
from service_desk.ledger.layout import HEADERS
from service_desk.notifications.outbox import queue_mail


@contextlib.contextmanager
def _terminal(monkeypatch):
    """Progress goes to a pseudo-terminal; yields a function reading what it showed."""
    master, slave = pty.openpty()
    tty = os.fdopen(slave, "w", encoding="utf-8")
    monkeypatch.setattr(progress_module, "_stream", lambda: tty)

    def shown() -> str:
        tty.flush()
        chunks = []
        while select.select([master], [], [], 0.2)[0]:
            chunks.append(os.read(master, 65536))
        return b"".join(chunks).decode("utf-8", "replace")

    try:
        yield shown
    finally:
        tty.close()
        os.close(master)


def test_demo_data_is_quiet_off_a_terminal(app, runner, seeded):
    result = runner.invoke(args=["demo-data", "--matters", "30", "--updates-per-matter", "2"])
    assert result.exit_code == 0, result.output
    assert result.output == "added synthetic data: 30 items, 60 updates, 0 appointments\n"


def test_demo_data_shows_a_bar_on_a_terminal(app, runner, seeded, monkeypatch):
    with _terminal(monkeypatch) as shown:
        result = runner.invoke(args=["demo-data", "--matters", "30", "--updates-per-matter", "2",
                                     "--appointments", "10"])
        screen = shown()
    assert result.exit_code == 0, result.output
    assert "Adding synthetic rows" in screen and "[####" in screen
    assert "100/100" in screen and "100%" in screen  # 30 items + 60 updates + 10 appointments
    # the result stays on standard output, the bar never goes there
    assert result.output == "added synthetic data: 30 items, 60 updates, 10 appointments\n"


@contextlib.contextmanager
def _scratch_runner(app, database_url, tmp_path):
    """A CLI runner on an empty database: on PostgreSQL a new one (a restore refuses a database
    other sessions use, such as the suite's), on SQLite the suite's own file."""
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        yield app.test_cli_runner()
        return
    name = f"sd_restore_{secrets.token_hex(4)}"
    admin = create_engine(normalise_db_url(database_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    target = create_app({"TESTING": True, "SECRET_KEY": "test", "RATELIMIT_STORAGE_URI": "memory://",
                         "DATABASE_URL": make_url(database_url).set(database=name)
                         .render_as_string(hide_password=False)})
    target.instance_path = str(tmp_path / "scratch")
    try:
        yield target.test_cli_runner()
    finally:
        with target.app_context():
            db.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.commits
def test_backup_and_restore_show_progress_only_on_a_terminal(app, runner, database_url,
                                                             tmp_path, monkeypatch):
    quiet = runner.invoke(args=["backup", str(tmp_path / "quiet.backup")])
    assert quiet.exit_code == 0, quiet.output
    assert quiet.output.startswith("backed up") and quiet.output.count("\n") == 1

    with _scratch_runner(app, database_url, tmp_path) as scratch, \
            _terminal(monkeypatch) as shown:
        loud = runner.invoke(args=["backup", str(tmp_path / "loud.backup")])
        backup_screen = shown()
        again = scratch.invoke(args=["restore", str(tmp_path / "loud.backup"), "--replace"])
        restore_screen = shown()
    assert loud.exit_code == 0 and again.exit_code == 0, loud.output + again.output
    assert loud.output.startswith("backed up") and loud.output.count("\n") == 1
    assert again.output.startswith("restored") and again.output.count("\n") == 1
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:  # SQLite's backup counts its pages
        assert "Backing up" in backup_screen and "100%" in backup_screen
        assert "Restoring" in restore_screen and "100%" in restore_screen
    else:  # pg_dump and pg_restore tell nothing while they run: a line each
        assert "Dumping the database with pg_dump… done in" in backup_screen
        assert "Restoring the database with pg_restore… done in" in restore_screen


def test_import_matters_shows_its_steps_and_bars_on_a_terminal(app, runner, seeded, tmp_path,
                                                               monkeypatch):
    good = tmp_path / "ledger.csv"
    good.write_text(",".join(HEADERS) + "\nS03,开通便民热线,,,,,,推进中,70,\n"
                    "S04,帮办代办,,,,,,推进中,55,\n", encoding="utf-8-sig")
    quiet = runner.invoke(args=["import-matters", str(good), "--dry-run"])
    assert quiet.exit_code == 0, quiet.output
    assert "Reading" not in quiet.output and "Checking" not in quiet.output

    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    with _terminal(monkeypatch) as shown:
        applied = runner.invoke(args=["import-matters", str(good)])
        applied_screen = shown()
        refused = runner.invoke(args=["import-matters", str(bad)])
        refused_screen = shown()
    assert applied.exit_code == 0, applied.output
    assert "Reading ledger.csv… done in" in applied_screen
    # two rows: checked twice each (cells, then against the ledger), two changes applied twice
    assert "Checking rows" in applied_screen and "4/4" in applied_screen
    assert "Applying changes" in applied_screen and "100%" in applied_screen
    assert "updated 2" in applied.output
    # a step that fails ends its line, so the error stands on a line of its own
    assert refused.exit_code == 1
    assert refused_screen.startswith("Reading empty.csv…") and refused_screen.endswith("\r\n")
    assert "done" not in refused_screen


class _Inbox:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 Message accepted for delivery"


class _FreePort(Controller):
    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.mark.commits
def test_notify_shows_the_outbox_being_sent_only_on_a_terminal(app, runner, monkeypatch):
    inbox = _Inbox()
    server = _FreePort(inbox, hostname="127.0.0.1", port=0)
    server.start()
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{server.port}")

    def queue(n: int, start: int) -> None:
        with app.app_context():
            for i in range(start, start + n):
                queue_mail(kind="test", to=f"staff{i}@example.com", subject="提醒",
                           body="请处理", dedupe_key=f"progress-test-{i}")
            db.session.commit()
            db.session.remove()

    try:
        queue(2, 0)
        quiet = runner.invoke(args=["notify"])
        assert quiet.exit_code == 0, quiet.output
        assert "sent 2" in quiet.output and "Sending" not in quiet.output

        queue(3, 10)
        with _terminal(monkeypatch) as shown:
            loud = runner.invoke(args=["notify"])
            screen = shown()
        assert loud.exit_code == 0, loud.output
        assert "sent 3" in loud.output and "Sending" not in loud.output
        assert "Sending the outbox" in screen and "3/3" in screen
        assert inbox.count == 5
    finally:
        server.stop()


def test_stage_and_bar_print_nothing_off_a_terminal(capsys):
    with progress_module.stage("Working"):
        pass
    with progress_module.progress([1, 2, 3], label="Counting") as bar:
        assert list(bar) == [1, 2, 3]
    with progress_module.progress(length=5, label="Counting") as bar:
        bar.update(5)
    assert capsys.readouterr() == ("", "")
