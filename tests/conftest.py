"""Fixtures: one app per session on SQLite (default) or PostgreSQL; each test runs in a
transaction rolled back at its end, or (marked ``commits``) commits for real and has every
table wiped after it.

SERVICE_DESK_TEST_BACKEND=postgres runs the suite on SERVICE_DESK_TEST_DATABASE_URL; the
Makefile does that as a second pass. Tests marked ``postgres`` need PostgreSQL and skip on
SQLite; with SERVICE_DESK_REQUIRE_POSTGRES=1 (CI) a PostgreSQL pass that skips them fails.

Rolled back (the default for a test that uses the app): the Flask-SQLAlchemy session is bound
to one connection holding an outer transaction, with ``join_transaction_mode=
"create_savepoint"``, so the app's ``db.session.commit()`` only releases a savepoint and the
test's rows vanish with the outer rollback. Mark a test ``@pytest.mark.commits`` when it needs
real commits: other threads or processes, a live server (the browser tests, automatically),
the migration and seeding machinery, or connections of its own.
"""
from __future__ import annotations

import contextlib
import os
import re
import uuid
from pathlib import Path

import pytest
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import create_engine, event, text

from service_desk import create_app
from service_desk.config import normalise_db_url

from .factories import PASSWORD, people  # noqa: F401  (the shared ``people`` fixture)

BACKEND = os.environ.get("SERVICE_DESK_TEST_BACKEND", "sqlite")
PG_URL = os.environ.get("SERVICE_DESK_TEST_DATABASE_URL")
REQUIRE_PG = os.environ.get("SERVICE_DESK_REQUIRE_POSTGRES") == "1"
ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "source" / "000_f1ce110b1b012075.txt"


def pytest_configure(config):
    if BACKEND == "postgres" and not PG_URL:
        raise pytest.UsageError("SERVICE_DESK_TEST_BACKEND=postgres needs SERVICE_DESK_TEST_DATABASE_URL")


def pytest_report_header(config):
    return f"service_desk test backend: {BACKEND}" + (f" ({PG_URL})" if BACKEND == "postgres" else "")


def pytest_collection_modifyitems(config, items):
    if BACKEND == "postgres":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (runs in the PostgreSQL pass)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


_SKIPPED: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _SKIPPED.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if BACKEND == "postgres" and REQUIRE_PG and _SKIPPED:
        print(f"\nFAIL: {len(_SKIPPED)} tests skipped in the required PostgreSQL pass:")
        for nodeid in _SKIPPED:
            print("  ", nodeid)
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    terminalreporter.write_line(f"service_desk backend={BACKEND} skipped={len(_SKIPPED)}")


def reset_postgres_schema(url: str) -> None:
    engine = create_engine(normalise_db_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if BACKEND == "postgres":
        reset_postgres_schema(PG_URL)
        return PG_URL
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app({
        "TESTING": True,
        "ENV_NAME": "testing",
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_ENABLED": True,
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "LOGIN_FAILURE_RATE_LIMIT": "1000 per minute",
        "LOGIN_MAX_FAILURES": 5,
        # a cheap scrypt: the suite signs in hundreds of times (production keeps the default,
        # tests/app/test_config.py checks it)
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        "LOOKUP_RATE_LIMIT": "1000 per minute",
        "API_READ_RATE_LIMIT": "1000 per minute",
        "API_WRITE_RATE_LIMIT": "1000 per minute",
        # tests change data and look at once; tests/board/test_board_fresh.py turns it on
        "BOARD_CACHE_SECONDS": 0,
    })
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    from flask_migrate import upgrade

    from service_desk.extensions import db

    with app.app_context():
        upgrade()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _hash_each_password_once():
    """Real scrypt hashes, computed once per password: the suite creates hundreds of users."""
    import functools

    from service_desk.accounts import services

    patch = pytest.MonkeyPatch()
    patch.setattr(services, "hash_password", functools.lru_cache(maxsize=64)(services.hash_password))
    yield
    patch.undo()


class _OneConnectionSession(FlaskSession):
    """Flask-SQLAlchemy's session, but every statement goes to the connection it is bound to
    (its ``get_bind`` would pick the engine)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


@contextlib.contextmanager
def rolled_back(app):
    """Every session of the app joins one outer transaction as a savepoint; rolled back at the
    end. On SQLite, pysqlite's own transaction handling is turned off on this connection only
    so that SAVEPOINT works (SQLAlchemy's documented recipe)."""
    from service_desk.extensions import db

    with app.app_context():
        engine = db.engine
        db.session.remove()
    connection = engine.connect()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        dbapi = connection.connection.dbapi_connection
        legacy = dbapi.isolation_level
        dbapi.isolation_level = None

        def emit_begin(conn):
            conn.exec_driver_sql("BEGIN")

        event.listen(connection, "begin", emit_begin)
    outer = connection.begin()
    shared = db.session
    db.session = db._make_scoped_session({"bind": connection, "class_": _OneConnectionSession,
                                          "join_transaction_mode": "create_savepoint"})
    try:
        yield
    finally:
        for left_open in list(db.session.registry.registry.values()):
            left_open.close()  # sessions of app contexts still pushed (ended ones are closed)
        db.session = shared
        outer.rollback()
        if sqlite:
            event.remove(connection, "begin", emit_begin)
            dbapi.isolation_level = legacy
        connection.close()


def wipe(app) -> None:
    """Delete every row (after a test that committed for real)."""
    from service_desk.extensions import db

    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _isolate(request):
    """Each test starts from empty tables: its transaction is rolled back, or (marked
    ``commits``, or using the live server) its rows are wiped after it."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    commits = (request.node.get_closest_marker("commits") is not None
               or "live_server" in request.fixturenames)
    if commits:
        yield
        wipe(app)
    else:
        with rolled_back(app):
            yield
    from service_desk.catalog import service_cache
    from service_desk.extensions import limiter

    with app.app_context():
        limiter.reset()
    service_cache.forget()  # ids and rows of the test's services are gone


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        from service_desk.extensions import db

        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def seeded(app):
    from service_desk.extensions import db
    from service_desk.seeding import seed_load

    with app.app_context():
        seed_load()
        db.session.commit()
        db.session.remove()


@pytest.fixture
def make_user(app):
    """Create a user (role, unit code) with PASSWORD; returns the username."""
    from service_desk.accounts.services import parse_role, user_create
    from service_desk.extensions import db

    counter = {"n": 0}

    def make(role: str, unit: str | None = None, username: str | None = None) -> str:
        counter["n"] += 1
        name = username or f"{role}{counter['n']}"
        with app.app_context():
            user_create(username=name, password=PASSWORD, role=parse_role(role), unit_code=unit,
                        actor="test")
            db.session.commit()
            db.session.remove()
        return name

    return make


SAVEPOINT_RE = re.compile(r"\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|BEGIN)\b", re.IGNORECASE)


@pytest.fixture
def count_queries(app):
    """Context manager counting SQL statements sent to the database (not the savepoints of
    the rolled-back test transaction)."""

    @contextlib.contextmanager
    def counting():
        from service_desk.extensions import db

        statements: list[str] = []
        with app.app_context():
            engine = db.engine

        def before(conn, cursor, statement, parameters, context, executemany):
            if not SAVEPOINT_RE.match(statement):
                statements.append(statement)

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def scratch_url(tmp_path):
    """A database of its own for migration tests, so the shared test schema is left alone."""
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
