"""Redis down (issue 12): with SERVICE_DESK_RATELIMIT_STORAGE_URI pointing at a Redis that does
not answer, the app kept answering 500 on login, look-ups, the API and Open311 while /readyz
said ok. Now it counts per process, keeps serving, and /readyz names what is degraded.

A subprocess: the limiter is global, and this app needs its own storage settings."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import datetime as dt, json, re
    from flask_migrate import upgrade
    from sqlalchemy import select
    from service_desk import create_app
    from service_desk.accounts.services import parse_role, user_create
    from service_desk.catalog.models import OpeningHours, Service
    from service_desk.extensions import db
    from service_desk.seeding import seed_load

    app = create_app()  # configured from SERVICE_DESK_* variables, as in production
    with app.app_context():
        upgrade()
        seed_load()
        service = db.session.scalar(select(Service).where(Service.code == "appointment"))
        service.capacity, service.min_notice_minutes, service.book_ahead_days = 5, 0, 14
        for weekday in range(7):
            db.session.add(OpeningHours(service_id=service.id, weekday=weekday,
                                        opens=dt.time(8), closes=dt.time(20)))
        user_create(username="op", password="correct-horse-battery",
                    role=parse_role("operator"), unit_code=None, actor="test")
        db.session.commit()
    client = app.test_client()
    out = {}
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    out["login"] = client.post("/login", data={"username": "op", "password":
                               "correct-horse-battery", "csrf_token": token}).status_code
    day = dt.date.today() + dt.timedelta(days=2)
    slots = client.get(f"/api/v1/services/appointment/slots?from={day}&to={day}").get_json()
    out["book"] = client.post("/api/v1/appointments", json={
        "service_code": "appointment", "start": slots[0]["start"], "name": "李阿姨",
        "phone": "13812345678", "group": "elderly"}).status_code
    out["lookups"] = [client.get("/api/v1/appointments/ZZZZ2222?phone=13812345678").status_code
                      for _ in range(4)]
    out["open311"] = client.get("/open311/v2/services.json").status_code
    out["readyz"] = [client.get("/readyz").status_code, client.get("/readyz").get_json()]
    print(json.dumps(out))
""")


@pytest.mark.commits
def test_with_redis_unreachable_the_app_logs_in_books_and_still_limits(tmp_path):
    env = {**os.environ,
           "SERVICE_DESK_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",  # nothing listens
           "SERVICE_DESK_LOOKUP_RATE_LIMIT": "3 per minute",
           "SERVICE_DESK_DATABASE_URL": "sqlite:///" + str(tmp_path / "redis-down.sqlite3"),
           "SERVICE_DESK_SECRET_KEY": "test", "SERVICE_DESK_INSTANCE_PATH": str(tmp_path)}
    env.pop("SERVICE_DESK_TEST_DATABASE_URL", None)
    run = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                         text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["login"] == 302 and out["book"] == 201 and out["open311"] == 200
    # the limits still hold, counted in this process
    assert out["lookups"] == [404, 404, 404, 429]
    status, body = out["readyz"]
    assert status == 200 and body == {"status": "degraded", "database": "ok",
                                      "redis": "unreachable"}
    assert "falling back to in-memory storage" in run.stderr
