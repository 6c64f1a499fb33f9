"""Benchmark the rating figures (好差评) over 200,000 rated services in PostgreSQL.

    .venv/bin/python bench/ratings.py [--requests 250000] [--repeat 10]

Builds its own database (BENCH_DATABASE_URL, default …/service_desk_bench_ratings), seeds,
and inserts N completed requests spread over the last 24 months, all flagged is_synthetic,
80% of them rated (levels weighted towards good; every bad one with its rectification, some
called back, closed or appealed), with INSERT … SELECT generate_series (seconds, not minutes).
Then times, in-process: ``rating_figures`` for the default 12 months, all time and one unit;
the dashboard page, its two exports and the public board, with each one's SQL statement count.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time

from sqlalchemy import event, text

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.run import recreate
from service_desk import create_app

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/service_desk_bench_ratings"

FILL = [
    # completed requests: unit and service of the seed, channel round the enum, finished
    # within the last 730 days
    """
    INSERT INTO service_requests (reference, service_id, channel, status, resident_name,
        resident_phone, unit_id, resolved_at, created_at, updated_at, is_synthetic, version)
    SELECT 'RB' || lpad(g::text, 10, '0'), s.id,
           (ARRAY['phone','wechat','web','walk_in','open311'])[1 + g % 5],
           (ARRAY['completed','resolved','called_back'])[1 + g % 3],
           '压测', '139' || lpad((g % 100000000)::text, 8, '0'), u.id,
           now() - (g % 730) * interval '1 day' - (g % 600) * interval '1 minute',
           now() - (g % 730) * interval '1 day' - interval '1 day',
           now() - (g % 730) * interval '1 day', true, 1
    FROM generate_series(1, :n) AS g
    JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM units) u
      ON u.k = g % (SELECT count(*) FROM units)
    JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM services) s
      ON s.k = g % (SELECT count(*) FROM services)
    """,
    # 80% rated: 5 (55%), 4 (30%), 3 (10%), 2 (3%), 1 (2%)
    """
    INSERT INTO ratings (request_id, level, created_at, unit_id, service_id, channel, source,
                         excluded)
    SELECT r.id,
           CASE WHEN r.id % 100 < 55 THEN 5 WHEN r.id % 100 < 85 THEN 4
                WHEN r.id % 100 < 95 THEN 3 WHEN r.id % 100 < 98 THEN 2 ELSE 1 END,
           r.resolved_at + interval '1 hour', r.unit_id, r.service_id, r.channel, 'link',
           false
    FROM service_requests r WHERE r.is_synthetic AND r.id % 5 <> 0
    """,
    # every bad rating opens a rectification: some called back, closed, late or appealed
    """
    INSERT INTO rectifications (rating_id, unit_id, status, opened_at, due_at, called_back_at,
                                closed_at, version)
    SELECT t.id, t.unit_id,
           CASE WHEN t.id % 4 = 0 THEN 'open' WHEN t.id % 4 = 1 THEN 'fixed'
                WHEN t.id % 4 = 2 THEN 'explained' ELSE 'appeal_upheld' END,
           t.created_at, t.created_at + interval '7 days',
           CASE WHEN t.id % 4 <> 0 THEN t.created_at + interval '1 day' END,
           CASE WHEN t.id % 4 <> 0 THEN t.created_at + (t.id % 10) * interval '1 day' END, 1
    FROM ratings t WHERE t.level <= 2
    """,
    """
    UPDATE ratings SET excluded = true WHERE id IN (
        SELECT rating_id FROM rectifications WHERE status = 'appeal_upheld')
    """,
    "ANALYZE",
]


def timed(label: str, call, n: int, statements: list[str]) -> None:
    timings = []
    for _ in range(n):
        statements.clear()
        t0 = time.perf_counter()
        call()
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    p95 = timings[min(n - 1, int(n * 0.95))]
    print(f"| {label} | {statistics.median(timings):.0f} | {p95:.0f} | {len(statements)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=250_000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    recreate(url)
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url, "RATELIMIT_ENABLED": False})
    runner = app.test_cli_runner()
    for command in (["db", "upgrade"], ["seed"]):
        result = runner.invoke(args=command)
        if result.exit_code:
            sys.exit(f"{' '.join(command)} failed: {result.output}")
    runner.invoke(args=["users", "create", "bench-sup", "--role", "supervisor"],
                  input="bench-password-1\n")

    from service_desk.extensions import db
    from service_desk.i18n import today
    from service_desk.ratings.stats import StatsFilter, rating_figures
    from service_desk.satisfaction.forms import add_months, month_start

    started = time.perf_counter()
    with app.app_context():
        for statement in FILL:
            db.session.execute(text(statement), {"n": args.requests})
            db.session.commit()
        counts = db.session.execute(text(
            "SELECT (SELECT count(*) FROM service_requests), (SELECT count(*) FROM ratings), "
            "(SELECT count(*) FROM rectifications)")).one()
        unit_id = db.session.execute(text("SELECT min(unit_id) FROM service_requests")).scalar()
        engine = db.engine
    print(f"filled in {time.perf_counter() - started:.1f} s: {counts[0]} completed requests, "
          f"{counts[1]} ratings, {counts[2]} rectifications (synthetic)\n")

    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    print("| call | median ms | p95 ms | SQL statements |")
    print("|---|---|---|---|")
    with app.test_request_context():
        current = month_start(today())
        last12 = StatsFilter(first=add_months(current, -11))
        timed("rating_figures, last 12 months", lambda: rating_figures(last12), args.repeat,
              statements)
        timed("rating_figures, all time", lambda: rating_figures(StatsFilter()), args.repeat,
              statements)
        timed("rating_figures, one unit, 12 months",
              lambda: rating_figures(StatsFilter(first=last12.first, unit_id=unit_id)),
              args.repeat, statements)
        db.session.remove()

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "bench-sup", "password": "bench-password-1",
                                "csrf_token": token})

    def get(path: str):
        def call():
            response = client.get(path)
            response.get_data()
            if response.status_code != 200:
                sys.exit(f"{path}: HTTP {response.status_code}")
        return call

    for label, path in (("dashboard /satisfaction", "/satisfaction"),
                        ("dashboard, all time", "/satisfaction?from=all"),
                        ("export .xlsx", "/satisfaction/export.xlsx"),
                        ("export .csv", "/satisfaction/export.csv"),
                        ("public board /board", "/board")):
        timed(label, get(path), args.repeat, statements)


if __name__ == "__main__":
    main()
