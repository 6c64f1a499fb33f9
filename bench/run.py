"""Benchmark the ledger's heavy pages on PostgreSQL with 10,000 items and 100,000 updates.

    .venv/bin/python bench/run.py [--matters 10000] [--updates-per-matter 10] [--repeat 20]
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_perf1 \
        .venv/bin/python bench/run.py --no-fill   # make bench-http's data: 1,000,000 appointments

Uses its own database (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/
service_desk_bench, dropped and re-created), fills it with `demo-data` (synthetic, flagged), and
times each page in-process through Flask's test client: the figures are app + database time,
without network or a WSGI server. Each page's SQL statement count is printed too: it must not
grow with the data (the tests check that; here it is shown at scale).
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time

from sqlalchemy import create_engine, event, text

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from service_desk import create_app
from service_desk.config import normalise_db_url

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/service_desk_bench"
PAGES = [
    ("ledger list, page 1", "/matters/"),
    ("ledger list, page 50", "/matters/?page=50"),
    ("overdue board (7 days), demo data counted", "/supervision/?demo=1"),
    ("unit scorecard, demo data counted", "/supervision/units?demo=1"),
    ("public board", "/board"),
    ("schedule, the next booked day", "/schedule?unit={unit}&day={day}"),
    ("schedule, its week", "/schedule/week?unit={unit}&day={day}"),
    ("requests list", "/requests/"),
    ("API matters, 200 a page, demo data", "/api/v1/matters?per_page=200&demo=true"),
    ("export .xlsx (all items)", "/matters/export.xlsx"),
    ("export .csv (all items)", "/matters/export.csv"),
]


def recreate(url: str) -> None:
    base, _, name = normalise_db_url(url).rpartition("/")
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matters", type=int, default=10_000)
    parser.add_argument("--updates-per-matter", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-fill", action="store_true",
                        help="use the database as it is (bench/over_http.py's, say)")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not args.no_fill:
        recreate(url)
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url, "LOGIN_RATE_LIMIT": "10000/minute"})
    runner = app.test_cli_runner()
    started = time.perf_counter()
    if not args.no_fill:
        for command in (["db", "upgrade"], ["seed"],
                        ["demo-data", "--matters", str(args.matters), "--updates-per-matter",
                         str(args.updates_per_matter), "--appointments", "0"]):
            result = runner.invoke(args=command)
            if result.exit_code:
                sys.exit(f"{' '.join(command)} failed: {result.output}")
        print(f"filled in {time.perf_counter() - started:.1f} s: {args.matters} items, "
              f"{args.matters * args.updates_per_matter} updates (synthetic)")
    runner.invoke(args=["users", "create", "bench-sup", "--role", "supervisor"],
                  input="bench-password-1\n")  # already there on a reused database: refused
    unit, day = _next_booked_day(app)

    from service_desk.extensions import db

    with app.app_context():
        engine = db.engine
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda *a: statements.append(a[2]))
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "bench-sup", "password": "bench-password-1",
                                "csrf_token": token})

    print("\n| page | median ms | p95 ms | SQL statements | size |")
    print("|---|---|---|---|---|")
    for label, path in PAGES:
        path = path.format(unit=unit, day=day)
        timings = []
        for i in range(args.repeat if "export" not in path else max(3, args.repeat // 5)):
            statements.clear()
            t0 = time.perf_counter()
            response = client.get(path)
            body = response.get_data()  # drain streamed responses
            timings.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                sys.exit(f"{path}: HTTP {response.status_code}")
        timings.sort()
        p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
        print(f"| {label} | {statistics.median(timings):.0f} | {p95:.0f} | {len(statements)} | "
              f"{len(body) / 1024:.0f} KB |")


def _next_booked_day(app) -> tuple[str, str]:
    """The unit and local day of the next appointment (today if there is none)."""
    from sqlalchemy import func, select

    from service_desk.base.calendar import local_day, today
    from service_desk.extensions import db
    from service_desk.requests.models import ServiceRequest
    from service_desk.units.models import Unit

    with app.app_context():
        now = db.session.scalar(select(func.now()))
        row = db.session.execute(
            select(Unit.code, ServiceRequest.starts_at)
            .join(Unit, Unit.id == ServiceRequest.unit_id)
            .where(ServiceRequest.starts_at > now)
            .order_by(ServiceRequest.starts_at).limit(1)).first()
        if row is None:
            return "gov-service-centre", today().isoformat()
        return row[0], local_day(row[1]).isoformat()


if __name__ == "__main__":
    main()
