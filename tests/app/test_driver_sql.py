"""driver_sql: a Core statement run on psycopg's cursor answers as the session would — the
same processed values, the same listeners told, the same exceptions — and elsewhere simply
goes through the session."""
from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from sqlalchemy import bindparam, exc, func, insert, select
from sqlalchemy.dialects.postgresql import psycopg as pg_psycopg

from service_desk.catalog.models import Service, ServiceKind
from service_desk.driver_sql import DriverStatement
from service_desk.extensions import db
from service_desk.requests.models import RequestStatus, ServiceRequest

_requests = ServiceRequest.__table__
_services = Service.__table__


def _postgres(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def _a_request(service_id: int, reference: str) -> dict:
    at = dt.datetime(2026, 10, 1, 2, 0, tzinfo=dt.UTC)
    return {"reference": reference, "service_id": service_id, "channel": "web",
            "status": RequestStatus.BOOKED, "resident_name": "李阿姨",
            "resident_phone": "13812345678", "starts_at": at, "ends_at": at + dt.timedelta(hours=1),
            "created_at": at, "updated_at": at, "version": 1, "is_synthetic": False}


def test_rows_hold_the_values_the_session_gives(ctx, seeded):
    service = db.session.scalar(select(Service).where(Service.code == "appointment"))
    db.session.execute(insert(_requests), _a_request(service.id, "DRV2SQL3"))
    statement = (select(_requests.c.reference, _requests.c.status, _requests.c.starts_at,
                        _services.c.kind, _services.c.channels)
                 .join(_services, _services.c.id == _requests.c.service_id)
                 .where(_requests.c.reference == bindparam("reference")))
    rows = DriverStatement(statement).rows(db.session, {"reference": "DRV2SQL3"})
    assert rows == [tuple(row) for row in db.session.execute(statement,
                                                            {"reference": "DRV2SQL3"})]
    _, status, starts_at, kind, channels = rows[0]
    # the enum and the aware UTC time are processed as the ORM's columns are
    assert status is RequestStatus.BOOKED and kind is ServiceKind.APPOINTMENT
    assert starts_at == dt.datetime(2026, 10, 1, 2, 0, tzinfo=dt.UTC) and starts_at.tzinfo
    assert isinstance(channels, list)
    assert DriverStatement(statement).rows(db.session, {"reference": "NONE2222"}) == []


def _insert(keys):
    return DriverStatement(insert(_requests).values({key: bindparam(key) for key in keys}).inline())


def test_a_statement_without_rows_gives_none_and_a_missing_value_is_named(ctx, seeded):
    service_id = db.session.scalar(select(Service.id).where(Service.code == "appointment"))
    values = _a_request(service_id, "DRV2SQL4")
    assert _insert(values).rows(db.session, values) == []
    assert db.session.scalar(select(_requests.c.id).where(_requests.c.reference == "DRV2SQL4"))
    with pytest.raises(exc.ArgumentError if _postgres_session() else exc.StatementError,
                       match="resident_phone"):
        _insert(values).rows(db.session, {k: v for k, v in values.items()
                                          if k != "resident_phone"})


def _postgres_session() -> bool:
    return db.session.connection().dialect.name == "postgresql"


def test_the_engines_statement_listeners_are_told(app, seeded, count_queries):
    statement = DriverStatement(select(_services.c.id).where(_services.c.code == bindparam("c")))
    with app.app_context(), count_queries() as seen:
        assert len(statement.rows(db.session, {"c": "appointment"})) == 1
    assert len(seen) == 1 and seen[0].lower().startswith("select services.id")


def test_a_drivers_error_is_sqlalchemys_and_the_session_goes_on(ctx, seeded):
    service_id = db.session.scalar(select(Service.id).where(Service.code == "appointment"))
    values = _a_request(service_id, "DRV2SQL5")
    statement = _insert(values)
    statement.rows(db.session, values)
    savepoint = db.session.begin_nested()
    with pytest.raises(exc.IntegrityError):  # the reference is UNIQUE
        statement.rows(db.session, values)
    savepoint.rollback()
    assert db.session.scalar(select(_services.c.code).where(_services.c.id == service_id)) \
        == "appointment"


def test_an_expanding_in_is_refused_when_compiled():
    statement = DriverStatement(select(_requests.c.id).where(
        _requests.c.status.in_([RequestStatus.BOOKED, RequestStatus.ARRIVED])))
    with pytest.raises(ValueError, match="expanding IN"):
        statement.compiled(pg_psycopg.dialect())


@pytest.mark.commits
def test_a_lost_connection_leaves_the_pool_and_the_next_transaction_has_a_new_one(app, seeded):
    """The server ends the connection's backend (a restart, a failover): the statement raises
    SQLAlchemy's OperationalError, marked as a lost connection, as its own statements do
    (errors/ answers 503 for it), and the broken connection is never handed out again."""
    if not _postgres(app):
        pytest.skip("the driver's own cursor is PostgreSQL's")
    statement = DriverStatement(select(_services.c.id).where(_services.c.code == bindparam("c")))
    with app.app_context():
        backend = db.session.connection().connection.driver_connection.info.backend_pid
        with psycopg.connect(db.engine.url.set(drivername="postgresql").render_as_string(
                hide_password=False), autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s, 5000)", (backend,))
        with pytest.raises(exc.OperationalError) as lost:
            statement.rows(db.session, {"c": "appointment"})
        assert lost.value.connection_invalidated
        db.session.rollback()
        assert len(statement.rows(db.session, {"c": "appointment"})) == 1
        assert db.session.connection().connection.driver_connection.info.backend_pid != backend
        db.session.remove()


@pytest.mark.commits
def test_a_commit_with_the_statement_is_the_transactions_end(app, seeded):
    """``commit``: on PostgreSQL the COMMIT goes with the statement, and the row is there for
    every other connection before the session's own commit, which has nothing left to do."""
    with app.app_context():
        service_id = db.session.scalar(select(Service.id).where(Service.code == "appointment"))
        values = _a_request(service_id, "DRV2SQL6")
        _insert(values).rows(db.session, values, commit=True)
        with db.engine.connect() as other:
            seen = other.scalar(select(_requests.c.id).where(_requests.c.reference == "DRV2SQL6"))
        assert (seen is not None) == _postgres(app)  # elsewhere the caller's commit does it
        db.session.commit()
        with db.engine.connect() as other:
            assert other.scalar(select(_requests.c.id).where(_requests.c.reference == "DRV2SQL6"))
        db.session.remove()


def test_inside_a_savepoint_the_statement_leaves_the_commit_to_the_session(ctx, seeded):
    service_id = db.session.scalar(select(Service.id).where(Service.code == "appointment"))
    values = _a_request(service_id, "DRV2SQL7")
    savepoint = db.session.begin_nested()
    _insert(values).rows(db.session, values, commit=True)
    savepoint.rollback()  # nothing was committed past it
    assert db.session.scalar(select(_requests.c.id).where(
        _requests.c.reference == "DRV2SQL7")) is None


@pytest.mark.commits
def test_an_error_in_a_statement_sent_with_its_commit_commits_nothing(app, seeded):
    with app.app_context():
        service_id = db.session.scalar(select(Service.id).where(Service.code == "appointment"))
        values = _a_request(service_id, "DRV2SQL8")
        _insert(values).rows(db.session, values, commit=True)
        db.session.commit()
        other = {**values, "resident_phone": "13812345679"}  # the same reference: UNIQUE
        with pytest.raises(exc.IntegrityError):
            _insert(other).rows(db.session, other, commit=True)
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(_requests).where(
            _requests.c.resident_phone == "13812345679")) == 0
        assert len(DriverStatement(select(_services.c.id).where(
            _services.c.code == bindparam("c"))).rows(db.session, {"c": "appointment"})) == 1
        db.session.remove()
