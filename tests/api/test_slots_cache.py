"""The slots answer is cached by the service's slots version (issue 13), and stays exact: a
booking, a cancel, a move, a closure and an hours or settings change each show in the very
next answer; If-None-Match answers 304 only while nothing changed; a cached call is one
statement."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import select

from service_desk.accounts.models import User
from service_desk.api import slots_cache
from service_desk.base.calendar import today
from service_desk.catalog.models import Service
from service_desk.extensions import db

from ..factories import EIGHT_TO_EIGHT, open_every_day, service_by_code

PHONE = "13812345678"


@pytest.fixture
def bookable(app, seeded):
    open_every_day(app, capacity=1, ahead=30, periods=EIGHT_TO_EIGHT)


def window(app) -> str:
    with app.app_context():
        first = today() + dt.timedelta(days=1)  # today's slots may close while the test runs
    return f"/api/v1/services/appointment/slots?from={first}&to={first + dt.timedelta(days=13)}"


def answer(client, app) -> tuple[dict[str, int], str]:
    response = client.get(window(app))
    assert response.status_code == 200
    return {s["start"]: s["remaining"] for s in response.get_json()}, response.headers["ETag"]


def book(client, start: str, phone: str = PHONE):
    response = client.post("/api/v1/appointments", json={
        "service_code": "appointment", "start": start, "name": "李阿姨", "phone": phone,
        "group": "elderly"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["reference"]


def first_free(slots: dict[str, int], n: int = 1) -> list[str]:
    return [start for start, left in slots.items() if left > 0][:n]


def test_a_booking_and_its_cancel_show_in_the_very_next_answer(app, client, bookable):
    slots, tag = answer(client, app)
    start = first_free(slots)[0]
    assert answer(client, app) == (slots, tag)  # the cached answer, unchanged
    ref = book(client, start)
    after, booked_tag = answer(client, app)
    assert after[start] == 0 and booked_tag != tag
    cancelled = client.post(f"/api/v1/appointments/{ref}/cancel", json={"phone": PHONE})
    assert cancelled.status_code == 200
    again, cancelled_tag = answer(client, app)
    assert again[start] == 1 and cancelled_tag not in (tag, booked_tag)


def test_a_move_frees_the_old_place_and_takes_the_new_one_at_once(app, client, bookable):
    slots, _ = answer(client, app)
    old, new = first_free(slots, 2)
    ref = book(client, old)
    assert answer(client, app)[0][old] == 0
    moved = client.post(f"/api/v1/appointments/{ref}/reschedule",
                        json={"phone": PHONE, "start": new})
    assert moved.status_code == 200, moved.get_json()
    after, _ = answer(client, app)
    assert after[old] == 1 and after[new] == 0


def test_a_closure_and_its_removal_show_in_the_very_next_answer(app, client, bookable, make_user):
    from service_desk.catalog.services import closure_add, closure_remove

    make_user("admin", username="boss")
    slots, tag = answer(client, app)
    with app.app_context():
        day = today() + dt.timedelta(days=2)
    on_day = [s for s in slots if dt.datetime.fromisoformat(s).date() == day]
    assert on_day
    with app.app_context():
        boss = db.session.scalar(select(User).where(User.username == "boss"))
        closures, _ = closure_add(service=service_by_code("appointment"), actor=boss,
                                  on_date=day, reason="停电检修", today=today())
        closure_id = closures[0].id
        db.session.commit()
    closed, closed_tag = answer(client, app)
    assert not set(on_day) & set(closed) and closed_tag != tag
    with app.app_context():
        boss = db.session.scalar(select(User).where(User.username == "boss"))
        from service_desk.catalog.models import Closure
        closure_remove(closure=db.session.get(Closure, closure_id),
                       service=service_by_code("appointment"), actor=boss, today=today())
        db.session.commit()
    reopened, _ = answer(client, app)
    assert set(on_day) <= set(reopened)


def test_an_hours_and_capacity_change_shows_in_the_very_next_answer(app, client, bookable,
                                                                     make_user):
    from service_desk.catalog.queries import fingerprint, hours_of, snapshot
    from service_desk.catalog.services import PeriodInput, service_settings_save
    from service_desk.units.models import Unit

    make_user("admin", username="boss")
    before, _ = answer(client, app)
    with app.app_context():
        svc = service_by_code("appointment")
        unit = db.session.get(Unit, svc.unit_id)
        shown = fingerprint(snapshot(svc, unit_code=unit.code, hours=hours_of(svc.id)))
        boss = db.session.scalar(select(User).where(User.username == "boss"))
        assert service_settings_save(
            service=svc, actor=boss, expected_fingerprint=shown, unit=unit, is_active=True,
            values={"duration_minutes": 30, "capacity": 3, "book_ahead_days": 30,
                    "min_notice_minutes": 0, "max_active_per_phone_per_day": 1},
            periods=[PeriodInput(d, 0, dt.time(9), dt.time(10)) for d in range(7)])
        db.session.commit()
    after, _ = answer(client, app)
    assert after and len(after) < len(before)
    assert {dt.datetime.fromisoformat(s).astimezone(dt.timezone(dt.timedelta(hours=8))).hour
            for s in after} == {9}
    assert set(after.values()) == {3}


def test_if_none_match_answers_304_only_while_nothing_changed(app, client, bookable):
    first = client.get(window(app))
    tag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    same = client.get(window(app), headers={"If-None-Match": tag})
    assert same.status_code == 304 and same.headers["ETag"] == tag and not same.data
    book(client, first_free({s["start"]: s["remaining"] for s in first.get_json()})[0])
    changed = client.get(window(app), headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    other_window = client.get(window(app).replace("to=", "to=2099-01-01&x="),
                              headers={"If-None-Match": tag})
    assert other_window.status_code != 304


def test_if_none_match_matches_as_http_says_for_a_get(app, client, bookable):
    """A weak validator, a list and * match the current tag (RFC 9110's weak comparison for
    If-None-Match); the 304 has no body and keeps the validator and the caching rule."""
    tag = client.get(window(app)).headers["ETag"]
    for sent in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        same = client.get(window(app), headers={"If-None-Match": sent})
        assert same.status_code == 304, sent
        assert not same.data and same.headers["ETag"] == tag
        assert same.headers["Cache-Control"] == "no-cache"
    for sent in ('"other"', tag.replace('"', "")[:-1].join('""'), ""):
        assert client.get(window(app), headers={"If-None-Match": sent}).status_code == 200, sent


def test_a_cached_slots_call_is_one_statement(app, client, bookable, count_queries):
    answer(client, app)  # fills the cache
    with count_queries() as statements:
        response = client.get(window(app))
    assert response.status_code == 200 and response.get_json()
    assert len(statements) <= 1, statements


def test_the_cached_answer_equals_free_slots(app, client, bookable):
    """The cut for the minimum notice gives what free_slots gives, notice and all."""
    from service_desk.db import utcnow
    from service_desk.requests.availability import free_slots

    open_every_day(app, "sign-language", capacity=2, ahead=5, notice=600)
    with app.app_context():
        day = today()
    url = f"/api/v1/services/sign-language/slots?from={day}&to={day + dt.timedelta(days=9)}"
    for _ in range(2):  # computed, then cached
        got = client.get(url).get_json()
        with app.app_context():
            want = free_slots(service_by_code("sign-language"), first=day,
                              last=day + dt.timedelta(days=9), now=utcnow())
        assert [s["start"] for s in got] == [s.start.isoformat() for s in want]


def test_slots_version_is_replaced_not_counted(app, seeded):
    """A version value never comes back (a rolled-back change cannot repeat one)."""
    from service_desk.catalog.slot_versions import slots_changed

    with app.app_context():
        seen = {db.session.scalar(select(Service.slots_version).where(Service.code == "appointment"))}
        for _ in range(5):
            slots_changed(service_by_code("appointment").id)
            seen.add(db.session.scalar(select(Service.slots_version)
                                       .where(Service.code == "appointment")))
        db.session.rollback()
    assert len(seen) == 6


REDIS_DOWN = textwrap.dedent("""
    import datetime as dt, json
    from flask_migrate import upgrade
    from sqlalchemy import select
    from service_desk import create_app
    from service_desk.catalog.models import OpeningHours, Service
    from service_desk.extensions import db
    from service_desk.seeding import seed_load

    app = create_app()  # configured from SERVICE_DESK_* variables, as in production
    with app.app_context():
        upgrade()
        seed_load()
        service = db.session.scalar(select(Service).where(Service.code == "appointment"))
        service.capacity, service.min_notice_minutes, service.book_ahead_days = 1, 0, 14
        for weekday in range(7):
            db.session.add(OpeningHours(service_id=service.id, weekday=weekday,
                                        opens=dt.time(8), closes=dt.time(20)))
        db.session.commit()
    client = app.test_client()
    url = "/api/v1/services/appointment/slots?from=DAY&to=DAY"
    first = client.get(url)
    start = first.get_json()[0]["start"]
    booked = client.post("/api/v1/appointments", json={
        "service_code": "appointment", "start": start, "name": "李阿姨",
        "phone": "13812345678", "group": "elderly"})
    after = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    print(json.dumps({"first": first.status_code, "book": booked.status_code,
                      "after": after.status_code,
                      "left": {s["start"]: s["remaining"] for s in after.get_json()}[start]}))
""")


@pytest.mark.commits
def test_with_redis_unreachable_a_booking_still_shows_in_the_next_answer(app, tmp_path):
    """The cache needs no Redis (process memory, keyed by the version in the database); the
    read limit's storage being down costs neither a 500 nor a stale answer."""
    with app.app_context():
        day = today() + dt.timedelta(days=2)
    env = {**os.environ,
           "SERVICE_DESK_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",  # nothing listens
           "SERVICE_DESK_DATABASE_URL": "sqlite:///" + str(tmp_path / "slots-redis-down.sqlite3"),
           "SERVICE_DESK_SECRET_KEY": "test", "SERVICE_DESK_INSTANCE_PATH": str(tmp_path)}
    env.pop("SERVICE_DESK_TEST_DATABASE_URL", None)
    run = subprocess.run([sys.executable, "-c", REDIS_DOWN.replace("DAY", day.isoformat())], env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out == {"first": 200, "book": 201, "after": 200, "left": 0}


@pytest.mark.commits
def test_committed_for_real_the_autocommit_read_stays_exact(app, client, bookable):
    """With the app's own engine (not a test's shared connection) the slots call reads in
    autocommit on PostgreSQL; the next change still shows, and the connection goes back to the
    pool transactional again."""
    from sqlalchemy import text

    slots, _ = answer(client, app)
    start = first_free(slots)[0]
    book(client, start)
    after, _ = answer(client, app)
    assert after[start] == 0
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        if db.engine.dialect.name == "postgresql":  # psycopg's flag, back off for the pool
            assert db.session.connection().connection.dbapi_connection.autocommit is False
        db.session.rollback()


@pytest.mark.commits
@pytest.mark.parametrize("lane", [False, True])
def test_committed_for_real_the_call_is_one_prepared_statement_on_a_pooled_connection(
        app, client, bookable, count_queries, monkeypatch, lane):
    """On PostgreSQL a cached call runs one plain statement (service_version), not the
    session's machinery: the route's on a connection borrowed from the pool, the slots
    lane's on the connection its thread holds (no checkout at all)."""
    from unittest import mock

    from service_desk import slots_lane

    if not lane:
        monkeypatch.setattr(slots_lane.SlotsLane, "_answer", lambda *args: None)
    answer(client, app)  # fills the cache (and the lane takes its connection)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("the plain statement is PostgreSQL's; SQLite reads through the session")
    with mock.patch.object(type(engine), "raw_connection", autospec=True,
                           side_effect=type(engine).raw_connection) as borrowed, \
            mock.patch.object(slots_cache, "_version_row",
                              wraps=slots_cache._version_row) as read, \
            count_queries() as through_sqlalchemy:
        slots, _ = answer(client, app)
    assert slots and read.call_count == 1
    assert borrowed.call_count == (0 if lane else 1)
    assert through_sqlalchemy == []  # the statement went straight to psycopg


def test_the_read_limit_counts_in_the_process_and_says_when_to_come_back(app, client, bookable):
    old = app.config["API_READ_RATE_LIMIT"]
    app.config["API_READ_RATE_LIMIT"] = "2 per minute"
    try:
        codes = [client.get(window(app)) for _ in range(3)]
    finally:
        app.config["API_READ_RATE_LIMIT"] = old
    assert [r.status_code for r in codes] == [200, 200, 429]
    refused = codes[2]
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    # the sliding window: two this minute still weigh 1 at the next one's start, half by 0:30
    assert 1 <= int(refused.headers["Retry-After"]) <= 90


@pytest.mark.commits
@pytest.mark.parametrize("lane", [False, True])
def test_a_connection_lost_during_the_plain_statement_answers_503_and_is_not_reused(
        app, client, bookable, monkeypatch, lane):
    """The plain statement bypasses SQLAlchemy, so its driver's errors are translated here:
    503 with Retry-After (never a 500), and the broken connection leaves the pool. The server
    really ends the connection's backend, as a restart or a failover would. With the slots
    lane in front, the lane's read meets the broken connection and leaves the call to the
    route, whose read takes a new one: the call is answered."""
    from unittest import mock

    import psycopg

    from service_desk import slots_lane

    if not lane:
        monkeypatch.setattr(slots_lane.SlotsLane, "_answer", lambda *args: None)

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("the plain statement is PostgreSQL's")
    from sqlalchemy.pool.base import _ConnectionFairy

    engine.pool.dispose()
    answer(client, app)  # the route's read: one connection, prepared, idle in the pool
    if lane:  # the lane's read, before it: a connection this thread holds
        held = slots_cache._held.pooled
        backend = held.driver_connection.info.backend_pid
    else:
        pooled = engine.raw_connection()
        backend = pooled.driver_connection.info.backend_pid
        pooled.close()
    with psycopg.connect(engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False), autocommit=True) as other:
        ended = other.execute("SELECT pg_terminate_backend(%s, 5000)", (backend,)).fetchone()
    assert ended == (True,)
    with mock.patch.object(_ConnectionFairy, "invalidate", autospec=True,
                           side_effect=_ConnectionFairy.invalidate) as invalidated:
        response = client.get(window(app))
    assert invalidated.call_count == 1  # the broken connection is not handed on
    if lane:
        assert response.status_code == 200 and response.get_json()
        assert client.get(window(app)).status_code == 200
        assert slots_cache._held.pooled not in (None, held)  # the lane holds a new one
        return
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.get_json()["error"]["code"] == "unavailable"
    assert client.get(window(app)).status_code == 200  # a new connection serves the next call


@pytest.mark.commits
@pytest.mark.parametrize("lane", [False, True])
def test_a_statement_dropped_from_its_connection_is_prepared_again(app, client, bookable,
                                                                   monkeypatch, lane):
    """psycopg sends DEALLOCATE ALL on a connection that ran a DROP or an ALTER: the prepared
    version read is made again on that connection instead of failing (the route's, on the
    pool's connection; the lane's, on the one its thread holds, still answering itself)."""
    from service_desk import slots_lane

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("the plain statement is PostgreSQL's")
    if not lane:
        monkeypatch.setattr(slots_lane.SlotsLane, "_answer", lambda *args: None)
    routed = []
    view = app.view_functions["api.slots"]
    monkeypatch.setitem(app.view_functions, "api.slots",
                        lambda **kw: routed.append(kw) or view(**kw))
    engine.pool.dispose()
    before, _ = answer(client, app)  # prepared on the pool's one connection (and the lane's)
    if lane:
        connection = slots_cache._held.pooled.driver_connection
        connection.execute("DEALLOCATE ALL")
        connection.rollback()
    else:
        pooled = engine.raw_connection()
        pooled.driver_connection.execute("DEALLOCATE ALL")
        pooled.driver_connection.rollback()
        pooled.close()
    after, _ = answer(client, app)
    assert after == before
    assert len(routed) == (1 if lane else 2)  # the lane answered the second call itself


def test_the_answer_made_for_a_cut_is_kept_and_made_anew_when_the_cut_moves():
    """The joined body is kept for the last cut; a call whose minimum notice cuts elsewhere
    (later, or earlier when a test's clock goes back) gets its own body and ETag."""
    base = dt.datetime(2030, 1, 7, 1, 0, tzinfo=dt.UTC)
    starts = [base + dt.timedelta(minutes=30 * i) for i in range(4)]
    entry = slots_cache._Entry(7, starts, [f'{{"n":{i}}}'.encode() for i in range(4)],
                               dt.timedelta(minutes=45))
    day = dt.date(2030, 1, 7)

    def at(now):
        return slots_cache._answer(entry, 3, 7, day, day, day, now)

    first = at(base - dt.timedelta(hours=1))
    assert first.body == b'[{"n":0},{"n":1},{"n":2},{"n":3}]' and first.etag.endswith(".0")
    assert at(base - dt.timedelta(minutes=50)) is first  # the same cut: the kept answer
    later = at(base + dt.timedelta(minutes=10))  # 0:10 + 0:45 passes the first two starts
    assert later.body == b'[{"n":2},{"n":3}]' and later.etag.endswith(".2")
    assert at(base - dt.timedelta(hours=1)).body == first.body  # back again: made anew
