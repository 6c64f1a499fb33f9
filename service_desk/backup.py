"""`service-desk backup FILE` / `restore FILE`: the whole database to one file and back.

PostgreSQL goes through its own pg_dump (custom format) and pg_restore, so the file is
whatever the server's tools make of it and restores with them too. SQLite goes through its
online backup API, which copies a consistent snapshot while the app keeps writing. A file
of one backend is refused by the other; a restore refuses a database that holds data unless
told to replace it; a backup never leaves a half-written FILE behind.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import exists, inspect, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from .base.progress import progress, stage
from .extensions import db

PG_MAGIC = b"PGDMP"  # the first bytes of pg_dump's custom format
SQLITE_MAGIC = b"SQLite format 3\x00"
SQLITE_PAGES_PER_STEP = 256  # one backup step; between steps other writers get a turn


class BackupError(RuntimeError):
    """The backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Outcome:
    backend: str  # "postgresql" or "sqlite"
    path: str
    size: int
    revision: str | None = None  # the restored database's Alembic revision
    head: bool = True  # that revision is the code's: no `db upgrade` needed


def backend_name() -> str:
    name = db.engine.dialect.name
    if name not in ("postgresql", "sqlite"):
        raise BackupError(f"backups of a {name} database are not supported")
    return name


def file_kind(path: str) -> str | None:
    """"postgresql", "sqlite" or None, from the file's first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head.startswith(PG_MAGIC):
        return "postgresql"
    if head == SQLITE_MAGIC:
        return "sqlite"
    return None


# ---- backup ---------------------------------------------------------------------------------

@contextlib.contextmanager
def _reachable() -> Iterator[None]:
    try:
        yield
    except OperationalError as exc:
        db.session.rollback()
        raise BackupError(f"cannot reach the database: {str(exc.orig).strip()}") from None


def backup_write(path: str, *, force: bool) -> Outcome:
    """Write the database to ``path`` (through ``path``'s directory's temporary file, renamed
    when complete). The file holds residents' phones: it is made readable by its owner only."""
    with _reachable():
        return _backup_write(path, force=force)


def _backup_write(path: str, *, force: bool) -> Outcome:
    name = backend_name()
    target = Path(path)
    if target.is_dir():
        raise BackupError(f"{path} is a directory; give a file name")
    if not target.parent.is_dir():
        raise BackupError(f"directory {target.parent} does not exist")
    if target.exists() and not force:
        raise BackupError(f"{path} exists; pass --force to overwrite it")
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".", suffix=".tmp")
    except OSError as exc:
        raise BackupError(f"cannot write in {target.parent}: {exc.strerror or exc}") from None
    os.close(fd)  # mode 0600 from mkstemp; the tools write into it
    try:
        if name == "postgresql":
            _pg_dump(tmp)
        else:
            _sqlite_backup(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Outcome(backend=name, path=str(target), size=target.stat().st_size)


def _sqlite_backup(tmp: str) -> None:
    raw = db.engine.raw_connection()
    try:
        source: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
        pages = source.execute("PRAGMA page_count").fetchone()[0]
        dest = sqlite3.connect(tmp)
        try:
            _sqlite_copy(source, dest, pages=pages, label="Backing up")
        finally:
            dest.close()
    finally:
        raw.close()


def _sqlite_copy(source: sqlite3.Connection, dest: sqlite3.Connection, *, pages: int,
                 label: str) -> None:
    with progress(length=max(pages, 1), label=label) as bar:
        done = {"pages": 0}

        def step(_status: int, remaining: int, total: int) -> None:
            bar.update(total - remaining - done["pages"])
            done["pages"] = total - remaining

        try:
            source.backup(dest, pages=SQLITE_PAGES_PER_STEP, progress=step)
        except sqlite3.OperationalError as exc:
            raise BackupError(f"SQLite: {exc}; stop what else is writing and try again") from None


# ---- PostgreSQL tools -----------------------------------------------------------------------

def _pg_connection() -> tuple[str, dict[str, str]]:
    """The app's URL as libpq takes it, without the driver part and without the password,
    which goes to PGPASSWORD (a command line is visible to every user of the machine); with
    none, libpq reads ~/.pgpass."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    # (URL.set ignores None: build the password-less URL afresh)
    conninfo = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                          database=url.database, query=url.query).render_as_string()
    return conninfo, env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (or not on PATH): install the PostgreSQL "
                          f"client tools of the server's version, e.g. Debian's "
                          f"postgresql-client-{_server_major()}")
    return found


def _tool_major(tool: str) -> int:
    out = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False)
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", out.stdout)
    if found is None:
        raise BackupError(f"cannot tell the version of {tool}: {out.stdout or out.stderr}")
    return int(found.group(1))


def _server_major() -> int:
    num = db.session.scalar(text("SHOW server_version_num"))
    db.session.rollback()
    return int(num) // 10000


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, check=False)


def _pg_dump(tmp: str) -> None:
    tool = _pg_tool("pg_dump")
    server, mine = _server_major(), _tool_major(tool)
    if mine < server:
        raise BackupError(f"pg_dump is version {mine} but the server is {server}: pg_dump "
                          "must be at least the server's version (install "
                          f"postgresql-client-{server})")
    conninfo, env = _pg_connection()
    with stage("Dumping the database with pg_dump"):
        done = _run([tool, "--format=custom", "--no-password", f"--file={tmp}",
                     f"--dbname={conninfo}"], env)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")


# ---- restore --------------------------------------------------------------------------------

def tables_with_rows() -> list[str]:
    """The app's tables that exist in the database and hold at least one row."""
    present = set(inspect(db.engine).get_table_names())
    found = [table.name for table in db.metadata.sorted_tables
             if table.name in present
             and db.session.scalar(select(exists().select_from(table)))]
    db.session.rollback()
    return found


def _check_kind(path: str, name: str) -> None:
    try:
        kind = file_kind(path)
    except FileNotFoundError:
        raise BackupError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise BackupError(f"{path} is a directory, not a backup file") from None
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror or exc}") from None
    if kind is None:
        raise BackupError(f"{path} is not a backup made by `service-desk backup` (neither a "
                          "pg_dump custom-format archive nor a SQLite database)")
    if kind != name:
        raise BackupError(f"{path} is a {_LABEL[kind]} backup, but this database is "
                          f"{_LABEL[name]}; restore it into a {_LABEL[kind]} database")


_LABEL = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


def backup_restore(path: str, *, replace: bool) -> Outcome:
    """Replace the database's contents with the backup at ``path``; all or nothing."""
    with _reachable():
        return _backup_restore(path, replace=replace)


def _backup_restore(path: str, *, replace: bool) -> Outcome:
    name = backend_name()
    _check_kind(path, name)
    if name == "postgresql":
        tool = _pg_tool("pg_restore")
        _pg_check_archive(tool, path)
    else:
        source = _sqlite_open_backup(path)
    full = tables_with_rows()
    if full and not replace:
        if name == "sqlite":
            source.close()
        raise BackupError("the database is not empty (rows in " + ", ".join(full[:5])
                          + (", …" if len(full) > 5 else "") + "); pass --replace to replace "
                          "everything in it with the backup")
    # our own pooled connections must not hold a lock the restore waits for
    db.session.remove()
    db.engine.dispose()
    if name == "postgresql":
        _pg_refuse_other_sessions()
        _pg_restore(tool, path)
    else:
        try:
            _sqlite_restore(source, path)
        finally:
            source.close()
    db.engine.dispose()  # no pooled connection keeps the schema it saw before
    revision = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    db.session.rollback()
    return Outcome(backend=name, path=path, size=os.path.getsize(path), revision=revision,
                   head=revision in _heads())


def _heads() -> set[str]:
    directory = current_app.extensions["migrate"].directory
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", directory)
    return set(ScriptDirectory.from_config(config).get_heads())


def _pg_check_archive(tool: str, path: str) -> None:
    """pg_restore can read the archive, and it holds the app's alembic_version table."""
    listed = _run([tool, "--list", path], dict(os.environ))
    if listed.returncode != 0:
        raise BackupError(f"pg_restore cannot read {path}: {listed.stderr.strip()}")
    if not re.search(r"\bTABLE\s+\S+\s+alembic_version\b", listed.stdout):
        raise BackupError(f"{path} holds no alembic_version table: it is not a backup of a "
                          "Service Desk database")


def _pg_refuse_other_sessions() -> None:
    """pg_restore would wait for ever on a table an app still running reads (the archive
    sets lock_timeout to 0, whatever PGOPTIONS says): refuse while others are connected."""
    with db.engine.connect() as conn:
        others = conn.scalar(text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    db.engine.dispose()
    if others:
        raise BackupError(f"{others} other sessions are connected to the database: stop the "
                          "app and its timers (notify, backup) first, then restore")


def _pg_restore(tool: str, path: str) -> None:
    conninfo, env = _pg_connection()
    with stage("Restoring the database with pg_restore"):
        done = _run([tool, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                     "--no-password", f"--dbname={conninfo}", path], env)
    if done.returncode != 0:
        raise BackupError("pg_restore failed; it ran in one transaction, so the database is "
                          f"as it was: {done.stderr.strip()}")


def _sqlite_open_backup(path: str) -> sqlite3.Connection:
    """The backup, opened read-only, after checking it is whole and a Service Desk database."""
    source = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    try:
        checked = source.execute("PRAGMA quick_check").fetchone()[0]
        if checked != "ok":
            raise BackupError(f"{path} is damaged: {checked}")
        source.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        source.close()
        if "alembic_version" in str(exc):
            raise BackupError(f"{path} holds no alembic_version table: it is not a backup of a "
                              "Service Desk database") from None
        raise BackupError(f"{path} cannot be read as a SQLite database: {exc}") from None
    except BackupError:
        source.close()
        raise
    return source


def _sqlite_restore(source: sqlite3.Connection, path: str) -> None:
    raw = db.engine.raw_connection()
    try:
        dest: Any = raw.driver_connection
        database = dest.execute("PRAGMA database_list").fetchone()[2]
        if database and os.path.exists(database) and os.path.samefile(database, path):
            raise BackupError(f"{path} is this database itself")
        pages = source.execute("PRAGMA page_count").fetchone()[0]
        _sqlite_copy(source, dest, pages=pages, label="Restoring")
    finally:
        raw.close()
