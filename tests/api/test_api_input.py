"""Strict input and rate limits of the API: malformed JSON, wrong types, unknown fields and
huge bodies answer 4xx in the contract's shape (never 500); public endpoints are
rate-limited, and with a redis:// store two processes share the counters."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
import uuid

import pytest

from ..factories import PHONE
from .api_helpers import assert_error


@pytest.fixture
def reference(api, seeded):
    response = api.post("/api/v1/reports", json={"service_code": "hotline", "description": "路灯不亮",
                                                  "name": "王大爷", "phone": PHONE})
    return response.get_json()["reference"]


def write_endpoints(reference: str):
    """(method, url, spec) of every endpoint that reads a JSON body."""
    from service_desk.api.appointments import BOOK_FIELDS, CANCEL_FIELDS, RESCHEDULE_FIELDS
    from service_desk.api.ratings import RATE_FIELDS
    from service_desk.api.reports import REPORT_FIELDS
    from service_desk.api.requests import action_fields
    from service_desk.api.routes import PATCH_FIELDS
    from service_desk.requests.lifecycle import Action

    out = [("POST", "/api/v1/appointments", BOOK_FIELDS),
           ("POST", f"/api/v1/appointments/{reference}/cancel", CANCEL_FIELDS),
           ("POST", f"/api/v1/appointments/{reference}/reschedule", RESCHEDULE_FIELDS),
           ("POST", f"/api/v1/appointments/{reference}/rating", RATE_FIELDS),
           ("POST", "/api/v1/reports", REPORT_FIELDS),
           ("PATCH", "/api/v1/matters/S03", PATCH_FIELDS)]
    out += [("POST", f"/api/v1/requests/{reference}/{a.value}", action_fields(a)) for a in Action]
    return out


BAD_DOCUMENTS = [
    ("text/plain", b"hello", 400), ("application/json", b"{", 400),
    ("application/json", b"", 400), ("application/json", b"\xff\xfe\x00{", 400),
    ("application/json", b"[" * 20000 + b"]" * 20000, 400),
    ("application/json", b"[]", 422), ("application/json", b"null", 422),
    ("application/json", b"5", 422), ("application/json", b'"text"', 422),
]


def test_malformed_bodies_answer_400_or_422_on_every_write_endpoint(admin_api, reference):
    for method, url, _spec in write_endpoints(reference):
        for content_type, data, status in BAD_DOCUMENTS:
            response = admin_api.open(method, url, data=data, content_type=content_type)
            error = assert_error(response, status)
            assert error["code"] == ("invalid_json" if status == 400 else "invalid_body"), url


def test_unknown_fields_and_wrong_types_are_named(admin_api, reference):
    wrong = {str: 5, int: "5", bool: "yes", float: "1.5"}
    for method, url, spec in write_endpoints(reference):
        response = admin_api.open(method, url, json={"surprise": 1})
        fields = assert_error(response, 422)["fields"]
        assert fields["surprise"] == "unknown field"
        assert {n for n, f in spec.items() if f.required} <= set(fields), url
        body = {name: wrong[rule.kind] for name, rule in spec.items()}
        fields = assert_error(admin_api.open(method, url, json=body), 422)["fields"]
        assert set(fields) == set(spec), (url, fields)


def test_a_body_over_the_limit_answers_413_in_the_error_shape(admin_api, reference):
    big = json.dumps({"note": "长" * 40000})
    for method, url, _spec in write_endpoints(reference):
        response = admin_api.open(method, url, data=big, content_type="application/json")
        assert_error(response, 413)


def _random_value(rng: random.Random, depth: int = 0):
    kinds = ["int", "float", "str", "bool", "none", "list", "dict", "big", "unicode"]
    kind = rng.choice(kinds if depth < 2 else kinds[:5])
    if kind == "int":
        return rng.choice([0, -1, 1, 5, 6, 10**30, -(10**30)])
    if kind == "float":
        return rng.choice([0.5, -1e308, 1e308, 4.0])
    if kind == "str":
        return rng.choice(["", " ", "5", "2026-10-01T10:00:00+08:00", "13812345678", "x" * 300,
                           "elderly", "completed", "very_satisfied", "construction-bureau"])
    if kind == "bool":
        return rng.choice([True, False])
    if kind == "none":
        return None
    if kind == "list":
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == "dict":
        return {"k": _random_value(rng, depth + 1)}
    if kind == "big":
        return "字" * 5000
    return "\u0000\ud7ff\ue000\U0001f600"


def test_fuzzed_bodies_never_cause_a_server_error(admin_api, reference):
    """A small schemathesis-like fuzz: random values for the documented fields (and a stray
    one), checked against the OpenAPI document by the client."""
    rng = random.Random(20260601)
    for method, url, spec in write_endpoints(reference):
        names = list(spec) + ["stray"]
        for _ in range(25):
            body = {name: _random_value(rng) for name in rng.sample(names, rng.randint(0, len(names)))}
            response = admin_api.open(method, url, json=body)
            assert response.status_code < 500, (url, body, response.get_data(as_text=True))


def test_bad_query_parameters_never_cause_a_server_error(admin_api, seeded):
    for url in ("/api/v1/matters?page=-1", "/api/v1/matters?per_page=abc",
                "/api/v1/matters?key_issue=99999999999999999999", "/api/v1/requests?page=0",
                "/api/v1/services/appointment/slots?from=yesterday",
                "/api/v1/stats/ratings?from=2026-00", "/api/v1/appointments/X?phone=",
                "/api/v1/reports/%00?phone=abc"):
        response = admin_api.get(url)
        assert 400 <= response.status_code < 500, url


PUBLIC_LIMITED = [
    ("GET", "/api/v1/units", None, "API_READ_RATE_LIMIT"),
    ("GET", "/api/v1/key-issues", None, "API_READ_RATE_LIMIT"),
    ("GET", "/api/v1/matters", None, "API_READ_RATE_LIMIT"),
    ("GET", "/api/v1/services", None, "API_READ_RATE_LIMIT"),
    ("GET", "/api/v1/services/appointment/slots", None, "API_READ_RATE_LIMIT"),
    ("GET", "/api/v1/stats/ratings", None, "API_READ_RATE_LIMIT"),
    ("POST", "/api/v1/appointments", {"phone": "1"}, "API_WRITE_RATE_LIMIT"),
    ("POST", "/api/v1/reports", {"phone": "1"}, "API_WRITE_RATE_LIMIT"),
    ("POST", "/api/v1/appointments/ZZZZ2222/rating", {"phone": PHONE, "level": 5},
     "API_WRITE_RATE_LIMIT"),
    ("GET", f"/api/v1/appointments/ZZZZ2222?phone={PHONE}", None, "LOOKUP_RATE_LIMIT"),
    ("GET", f"/api/v1/reports/ZZZZ2222?phone={PHONE}", None, "LOOKUP_RATE_LIMIT"),
    ("POST", "/api/v1/appointments/ZZZZ2222/cancel", {"phone": PHONE}, "LOOKUP_RATE_LIMIT"),
    ("POST", "/api/v1/appointments/ZZZZ2222/reschedule", {"phone": PHONE, "start": "x"},
     "LOOKUP_RATE_LIMIT"),
]


@pytest.mark.parametrize("method,url,body,setting", PUBLIC_LIMITED)
def test_public_endpoints_are_rate_limited(app, api, seeded, method, url, body, setting):
    old = app.config[setting]
    app.config[setting] = "2 per minute"
    try:
        codes = [api.open(method, url, **({"json": body} if body is not None else {})).status_code
                 for _ in range(3)]
    finally:
        app.config[setting] = old
    assert codes[2] == 429 and 429 not in codes[:2], codes


@pytest.mark.commits  # two subprocesses, each an app on the test database
def test_the_storage_setting_comes_from_the_environment_and_redis_shares_counters(
        app, database_url, tmp_path):
    """Two processes, each its own app, with SERVICE_DESK_RATELIMIT_STORAGE_URI=redis://…:
    the second sees the first one's calls. (A subprocess each: the limiter is global.)"""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    client.ping()  # Redis runs in CI and on the developers' machines: fail loudly if not
    prefix = f"sd-test-{uuid.uuid4().hex[:12]}"
    script = textwrap.dedent("""
        import json, os
        from service_desk import create_app
        app = create_app()
        assert app.config["RATELIMIT_STORAGE_URI"] == os.environ["SERVICE_DESK_RATELIMIT_STORAGE_URI"]
        client = app.test_client()
        print(json.dumps([client.get("/api/v1/appointments/ZZZZ2222?phone=13812345678").status_code
                          for _ in range(2)]))
    """)
    env = {**os.environ, "SERVICE_DESK_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
           "SERVICE_DESK_RATELIMIT_KEY_PREFIX": prefix, "SERVICE_DESK_LOOKUP_RATE_LIMIT": "3 per minute",
           "SERVICE_DESK_DATABASE_URL": database_url, "SERVICE_DESK_SECRET_KEY": "test",
           "SERVICE_DESK_INSTANCE_PATH": str(tmp_path)}
    try:
        runs = [subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                               text=True, timeout=120, check=False) for _ in range(2)]
    finally:
        keys = list(client.scan_iter(f"*{prefix}*"))
        if keys:
            client.delete(*keys)
    for run in runs:
        assert run.returncode == 0, run.stderr[-2000:]
    first, second = (json.loads(run.stdout.strip().splitlines()[-1]) for run in runs)
    assert first == [404, 404] and second == [404, 429]
