"""Benchmark booking with 1,000,000 appointments in PostgreSQL.

    .venv/bin/python bench/bookings.py [--appointments 1000000] [--requests 300]

Builds its own database (BENCH_DATABASE_URL, default …/service_desk_bench_bookings), seeds,
gives the services demo hours, fills `demo-data --appointments N` (synthetic, flagged, with
their slot counters), then measures, in-process through Flask's test client (app + database,
no network): the free slots of one service over 14 days, booking one place, and — as the
ceiling of this harness on this machine — a bare Flask app answering "ok".
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time

from flask import Flask

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.run import recreate
from service_desk import create_app

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/service_desk_bench_bookings"


def measure(label: str, call, n: int) -> None:
    timings = []
    started = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        call(i)
        timings.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    timings.sort()
    print(f"| {label} | {statistics.median(timings):.1f} | "
          f"{timings[min(n - 1, int(n * 0.95))]:.1f} | {n / elapsed:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appointments", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    recreate(url)
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url,
                      "LOOKUP_RATE_LIMIT": "100000/minute", "RATELIMIT_ENABLED": False})
    runner = app.test_cli_runner()
    started = time.perf_counter()
    for command in (["db", "upgrade"], ["seed"], ["demo-hours"],
                    ["demo-data", "--appointments", str(args.appointments)]):
        result = runner.invoke(args=command)
        if result.exit_code:
            sys.exit(f"{' '.join(command)} failed: {result.output}")
    from service_desk.catalog.models import Service, Slot
    from service_desk.extensions import db
    from service_desk.requests.models import ServiceRequest

    with app.app_context():
        service = db.session.query(Service).filter_by(code="appointment").one()
        service.capacity = 1000  # room for every benchmark booking in the next 14 days
        service.book_ahead_days = 14
        db.session.commit()
        rows = db.session.query(ServiceRequest).count()
        slots = db.session.query(Slot).count()
    print(f"filled in {time.perf_counter() - started:.0f} s: {rows} appointments, {slots} slot "
          f"counters (synthetic)\n")

    client = app.test_client()
    today = dt.date.today()
    window = f"from={today}&to={today + dt.timedelta(days=13)}"
    free = [s for s in client.get(f"/api/v1/services/appointment/slots?{window}").get_json()
            if s["remaining"] > 0]
    if not free:
        sys.exit("no free slot in the next 14 days")

    bare = Flask("bare")
    bare.add_url_rule("/", "ok", lambda: "ok")
    bare_client = bare.test_client()

    def book(i: int) -> None:
        response = client.post("/api/v1/appointments", json={
            "service_code": "appointment", "start": free[i % len(free)]["start"],
            "name": "压测用户", "phone": f"1390000{i % 10000:04d}", "group": "elderly"})
        if response.status_code != 201:
            sys.exit(f"booking failed: {response.status_code} {response.get_json()}")

    def slots(i: int) -> None:
        if client.get(f"/api/v1/services/appointment/slots?{window}").status_code != 200:
            sys.exit("slots failed")

    print("| call | median ms | p95 ms | requests/s (one client) |")
    print("|---|---|---|---|")
    measure("bare Flask \"ok\" (ceiling)", lambda i: bare_client.get("/"), args.requests)
    measure("slots, one service, 14 days", slots, args.requests)
    measure("book one place (POST /api/v1/appointments)", book, args.requests)


if __name__ == "__main__":
    main()
