"""Service Desk over HTTP against a bare-Flask ceiling, in one run, on PostgreSQL.

    make bench-http                      # 1,000,000 appointments, 10,000 items, 100,000 updates
    .venv/bin/python bench/over_http.py --appointments 20000 --matters 1000 --seconds 5   # quick
    .venv/bin/python bench/over_http.py --no-fill          # reuse the database of the last run

Fills its own database (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/
bench_perf1: dropped and re-created) with `service-desk seed`, `demo-hours` and `demo-data`
(synthetic, flagged; appointments in the past and over the coming weeks, so the slot counters
read are real), starts the ceiling (bench/ceiling_app.py, JSON "ok") and Service Desk with the
SAME gunicorn settings, and measures each endpoint with Debian's `wrk`, the ceiling and ours
alternating, then prints req/s, p99 and the ratio to the ceiling measured just before.

The rate limits are production's (the defaults), with their counters in Redis
(BENCH_REDIS_URL) as in production, so their cost is measured: the app runs as behind the
proxy of the README's production setup (BEHIND_PROXY) and every request comes from one of
CLIENTS residents (X-Forwarded-For, round the list), each within the limits. The ceiling gets
the same requests, header and all.
"""
from __future__ import annotations

import os
import sys

# run as a script, this file's folder comes first on sys.path: the repository root goes there
# instead, for the service_desk and bench packages
if os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path[0] = os.path.dirname(sys.path[0])

import argparse
import datetime as dt
import json
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench_perf1"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
CEILING_PORT = 8431  # ours: the next port
PER_START = 40  # a booking run's list: each start at most this often
CLIENTS = 60_000  # distinct addresses: at 6,000 req/s each sends 6 a minute, within 10 per minute


# --- filling the database -------------------------------------------------------------------

def fill(url: str, *, appointments: int, matters: int, updates_per_matter: int) -> None:
    from bench.run import recreate
    from service_desk import create_app

    recreate(url)
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url, "RATELIMIT_ENABLED": False})
    runner = app.test_cli_runner()
    started = time.perf_counter()
    for command in (["db", "upgrade"], ["seed"], ["demo-hours"]):
        _invoke(runner, command)
    from sqlalchemy import text, update

    from service_desk.catalog.models import Service, ServiceKind
    from service_desk.extensions import db
    with app.app_context():  # room for booking runs: 400 places a slot, eight weeks ahead
        db.session.execute(update(Service).where(Service.kind == ServiceKind.APPOINTMENT)
                           .values(capacity=400, book_ahead_days=56))
        db.session.commit()
    _invoke(runner, ["demo-data", "--appointments", str(appointments), "--matters", str(matters),
                     "--updates-per-matter", str(updates_per_matter)])
    # plans for the filled tables, and autovacuum left nothing to do: it ran during the
    # first measurements after a fill and took the ceiling down to a third
    with app.app_context(), db.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE)"))
    print(f"filled {url.rpartition('/')[2]} in {time.perf_counter() - started:.0f} s: "
          f"{appointments:,} appointments, {matters:,} items, "
          f"{matters * updates_per_matter:,} updates", flush=True)


def _invoke(runner, command: list[str]) -> None:
    result = runner.invoke(args=command)
    if result.exit_code:
        sys.exit(f"service-desk {' '.join(command)} failed: {result.output}")


# --- servers --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ServerSettings:
    """The ceiling's and ours alike. Default: 2 workers of 4 threads, the issue's setting;
    --workers 4 --worker-class sync is the README's production command."""
    workers: int = 2
    worker_class: str = "gthread"
    threads: int = 4

    def args(self) -> list[str]:
        out = ["--workers", str(self.workers), "--worker-class", self.worker_class]
        if self.worker_class == "gthread":
            out += ["--threads", str(self.threads)]
        return out + ["--log-level", "warning", "--backlog", "2048"]

    def __str__(self) -> str:
        threads = f" × {self.threads} threads" if self.worker_class == "gthread" else ""
        return f"gunicorn {self.workers} workers ({self.worker_class}{threads})"


@contextmanager
def serve(app_spec: str, port: int, settings: ServerSettings, env: dict[str, str] | None = None,
          log_path: str | None = None):
    """Run ``gunicorn app_spec`` on 127.0.0.1:port until the block ends."""
    if _listening(port):
        sys.exit(f"port {port} is in use (a server of an earlier run still stopping?): "
                 "try again in a few seconds")
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    log = open(log_path or os.devnull, "ab")  # noqa: SIM115 (closed when the server stops)
    proc = subprocess.Popen([gunicorn, *settings.args(), "--bind", f"127.0.0.1:{port}",
                             "--chdir", ROOT, app_spec], env={**os.environ, **(env or {})},
                            stdout=log, stderr=log, start_new_session=True)
    try:
        _wait_for(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the master and its workers
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _wait_for(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the server on port {port} exited ({proc.returncode}); see its log")
        if _listening(port):
            return
        time.sleep(0.2)
    sys.exit(f"the server on port {port} did not start in {timeout:.0f} s")


def ours_env(db_url: str, redis_url: str, metrics_dir: str) -> dict[str, str]:
    # as in production (README): several workers keep their metrics in a shared directory
    return {"PROMETHEUS_MULTIPROC_DIR": metrics_dir,
            "SERVICE_DESK_DATABASE_URL": db_url, "SERVICE_DESK_SECRET_KEY": "bench",
            "SERVICE_DESK_ENV_NAME": "production",
            "SERVICE_DESK_RATELIMIT_STORAGE_URI": redis_url, "SERVICE_DESK_BEHIND_PROXY": "1"}


def metrics_dir(parent: str) -> str:
    path = os.path.join(parent, "metrics")
    os.makedirs(path, exist_ok=True)
    return path


# --- wrk ------------------------------------------------------------------------------------

@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx answers, socket errors and timeouts
    seconds: float

    @property
    def ok_rps(self) -> float:
        """Answers that were not errors, a second (bookings made, for the booking row)."""
        return (self.requests - self.errors) / self.seconds


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def run_wrk(url: str, *, seconds: int, connections: int, threads: int,
            script: str | None = None, timeout: str = "2s") -> Result:
    """One wrk run; ``script`` is a wrk Lua file (POST bodies and the like)."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout}",
           "--latency"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                              r"timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE)
    return Result(rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
                  p50_ms=_ms(p50.group(1)) if p50 else float("nan"),
                  p99_ms=_ms(p99.group(1)) if p99 else float("nan"),
                  requests=int(re.search(r"(\d+) requests in", out).group(1)), errors=errors,
                  seconds=_ms(re.search(r"requests in ([\d.]+\w+),", out).group(1)) / 1000)


def warm(url: str, n: int = 20) -> None:
    for _ in range(n):
        try:
            urllib.request.urlopen(url, timeout=10).read()
        except OSError:
            pass


# --- the booking load -----------------------------------------------------------------------

CLIENTS_LUA = """
-- each request from the next of %(clients)d residents, as a proxy reports them
local counter = 0
local thread_no = 0
local threads = {}
function setup(thread)
  thread:set("no", #threads)
  table.insert(threads, thread)
end
function init(args)
  thread_no = tonumber(wrk.thread:get("no")) or 0
end
local function next_client()
  counter = counter + 1
  local n = thread_no * 1000000 + counter
  local c = (%(client_base)d + n) %% %(clients)d
  return n, string.format("10.%%d.%%d.%%d", math.floor(c / 65536) %% 256,
                          math.floor(c / 256) %% 256, c %% 256)
end
"""

GET_LUA = CLIENTS_LUA + """
function request()
  local n, client = next_client()
  return wrk.format("GET", nil, {["X-Forwarded-For"] = client})
end
"""

BOOK_LUA = CLIENTS_LUA + """
-- POST /api/v1/appointments: each request a new phone and a free place. Each start is listed
-- once for each free place it has, and the threads begin at even intervals of the list, so a
-- run books within capacity (it never asks for a full slot) as long as it makes fewer
-- bookings than the list is long.
local starts = {%(starts)s}
function request()
  local n, client = next_client()
  local start = starts[((math.floor(#starts / %(threads)d) * thread_no + counter) %% #starts) + 1]
  local phone = (%(phone_base)d + n) %% 1000000000  -- a new phone per run: no duplicate_booking
  local body = string.format('{"service_code":"%(service)s","start":"%%s","name":"压测用户",' ..
    '"phone":"13%%09d","group":"elderly","channel":"web"}', start, phone)
  return wrk.format("POST", "/api/v1/appointments",
                    {["Content-Type"] = "application/json", ["X-Forwarded-For"] = client}, body)
end
"""


def get_script(directory: str) -> str:
    """A wrk script of plain GETs from ever new residents (the wrk URL's path and query)."""
    path = os.path.join(directory, "get.lua")
    with open(path, "w") as f:
        f.write(GET_LUA % _clients())
    return path


def _clients() -> dict:
    # a random start per run: Redis still holds the last run's counters for a minute
    return {"clients": CLIENTS, "client_base": random.randrange(CLIENTS)}


def booking_script(base_url: str, service: str, days: int, directory: str,
                   threads: int = 2) -> str:
    """A wrk script booking the free places of the coming ``days`` days of ``service``, each
    start as often as it has places free."""
    today = _today()
    window = f"from={today}&to={today + dt.timedelta(days=days)}"
    with urllib.request.urlopen(f"{base_url}/api/v1/services/{service}/slots?{window}") as r:
        free = [s["start"] for s in json.load(r) for _ in range(min(s["remaining"], PER_START))]
    if not free:
        sys.exit(f"no free place for {service} in the next {days} days")
    path = os.path.join(directory, "book.lua")
    with open(path, "w") as f:
        f.write(BOOK_LUA % {"starts": ",".join(f'"{s}"' for s in free), "service": service,
                            "phone_base": random.randrange(10**9), "threads": threads,
                            **_clients()})
    print(f"  ({len(free):,} free places to book in the next {days} days)", flush=True)
    return path


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the app's zone, not the machine's


# --- the run --------------------------------------------------------------------------------

def slot_windows(base_url: str) -> tuple[str, str]:
    """One day (the first with slots) and fourteen days from it."""
    today = _today()
    url = f"{base_url}/api/v1/services/appointment/slots?from={today}&to={today + dt.timedelta(days=30)}"
    with urllib.request.urlopen(url) as r:
        slots = json.load(r)
    if not slots:
        sys.exit("the appointment service offers no slot in the next 30 days")
    local = ZoneInfo("Asia/Shanghai")
    dates = sorted({dt.datetime.fromisoformat(s["start"]).astimezone(local).date() for s in slots})
    first = next((d for d in dates if d > today), dates[0])  # a whole day, not what is left of today
    base = "/api/v1/services/appointment/slots"
    return (f"{base}?from={first}&to={first}",
            f"{base}?from={first}&to={first + dt.timedelta(days=13)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appointments", type=int, default=1_000_000)
    parser.add_argument("--matters", type=int, default=10_000)
    parser.add_argument("--updates-per-matter", type=int, default=10)
    parser.add_argument("--no-fill", action="store_true", help="reuse the database as it is")
    parser.add_argument("--seconds", type=int, default=10, help="each wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=ServerSettings.workers)
    parser.add_argument("--worker-class", default=ServerSettings.worker_class,
                        choices=["gthread", "sync"])
    parser.add_argument("--server-threads", type=int, default=4)
    parser.add_argument("--only", help="comma-separated endpoint names to measure")
    parser.add_argument("--rounds", type=int, default=3,
                        help="times each endpoint is measured, ceiling and ours in turn")
    parser.add_argument("--port", type=int, default=CEILING_PORT,
                        help="the ceiling's port; ours listens on the next one")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk (make bench-http does)")
    db_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    if not args.no_fill:
        fill(db_url, appointments=args.appointments, matters=args.matters,
             updates_per_matter=args.updates_per_matter)
    settings = ServerSettings(args.workers, args.worker_class, args.server_threads)
    load = {"seconds": args.seconds, "connections": args.connections, "threads": args.threads}
    logs = tempfile.mkdtemp(prefix="bench-http-")
    runs: dict[str, list[tuple[Result, Result]]] = {}
    with serve("bench.ceiling_app:app", args.port, settings,
               log_path=os.path.join(logs, "ceiling.log")) as ceiling, \
            serve("service_desk:create_app()", args.port + 1, settings,
                  ours_env(db_url, redis_url, metrics_dir(logs)),
                  log_path=os.path.join(logs, "ours.log")) as ours:
        one_day, fortnight = slot_windows(ours)
        endpoints = [("GET /healthz", "/healthz", None),
                     ("GET slots, one day", one_day, None),
                     ("GET slots, 14 days", fortnight, None),
                     ("GET /board", "/board", None),
                     ("POST /api/v1/appointments", "/api/v1/appointments", "book")]
        if args.only:
            wanted = {w.strip().lower() for w in args.only.split(",")}
            endpoints = [e for e in endpoints if any(w in e[0].lower() for w in wanted)]
        gets = get_script(logs)
        for round_no in range(1, args.rounds + 1):
            for name, path, kind in endpoints:
                # a new booking script each round: new phones, the places still free
                script = (booking_script(ours, "appointment", 27, logs, threads=args.threads)
                          if kind == "book" else None)
                warm(ceiling + path)
                if script is None:
                    warm(ours + path)
                base = run_wrk(ceiling + path, script=gets, **load)  # the booking's ceiling: GETs
                mine = run_wrk(ours + path, script=script or gets, **load)
                runs.setdefault(name, []).append((base, mine))
                print(f"  round {round_no}, {name}: ceiling {base.rps:,.0f} req/s, "
                      f"ours {mine.rps:,.0f} req/s ({mine.rps / base.rps:.2f})", flush=True)
    report(runs, settings, args, db_url)
    print(f"(server logs in {logs})")


def report(runs: dict[str, list[tuple[Result, Result]]], settings: ServerSettings, args,
           db_url: str) -> None:
    """One row an endpoint: its round with the median ratio (the figures of one round, side
    by side), and every round's ratio, lowest to highest: a shared machine's speed wanders."""
    cores = os.cpu_count()
    load1, load5, _ = os.getloadavg()
    print(f"\n{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {cores} cores "
          f"(load average {load1:.1f} / {load5:.1f}), PostgreSQL {db_url.rpartition('/')[2]}, "
          f"{settings}, wrk -t{args.threads} -c{args.connections} -d{args.seconds}s, "
          f"ceiling and ours alternating per endpoint, {args.rounds} round(s); each row the "
          f"round with the median ratio\n")
    print("| endpoint | ceiling req/s | ours req/s | ours p50 | ours p99 | ratio | every round's "
          "ratio | ours errors (non-2xx) | ours 2xx/s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, pairs in runs.items():
        ranked = sorted(pairs, key=lambda pair: pair[1].rps / pair[0].rps)
        base, mine = ranked[(len(ranked) - 1) // 2]
        every = ", ".join(f"{m.rps / b.rps:.2f}" for b, m in ranked)
        print(f"| {name} | {base.rps:,.0f} | {mine.rps:,.0f} | {mine.p50_ms:.1f} ms | "
              f"{mine.p99_ms:.1f} ms | {mine.rps / base.rps:.2f} | {every} | {mine.errors} | "
              f"{mine.ok_rps:,.0f} |")


if __name__ == "__main__":
    main()
