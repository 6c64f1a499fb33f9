"""GET /metrics: Prometheus' text format behind a bearer token (a 404 without it), requests and
latency by route template and status, the outbox by status, the connection pool."""
from __future__ import annotations

import json
import os

import pytest
from prometheus_client.parser import text_string_to_metric_families

from service_desk import create_app

from ..factories import EIGHT_TO_EIGHT, PHONE, free_times, open_every_day

TOKEN = "s3cret-metrics-token"


@pytest.fixture
def token(app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    return TOKEN


def scrape(client, token=TOKEN):
    return client.get("/metrics", headers={"Authorization": f"Bearer {token}"})


def samples(response) -> dict[tuple[str, frozenset], float]:
    """Every sample of a scrape: (name, labels) → value."""
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(found, name, **labels) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def test_without_a_token_configured_metrics_is_the_ordinary_404(client, app):
    assert not app.config["METRICS_TOKEN"]
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer None"}):
        response = client.get("/metrics", headers=headers)
        assert response.status_code == 404
        assert "text/html" in response.content_type  # the app's 404 page, not a metrics answer
    assert b"service_desk_" not in client.get("/metrics").data


@pytest.mark.parametrize("header", [None, f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}",
                                    f"Basic {TOKEN}", TOKEN, "Bearer 令牌"])
def test_a_missing_or_wrong_token_gets_the_same_404(client, token, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 404 and b"service_desk_http" not in response.data


def test_with_the_token_the_text_format_with_no_cookie(client, token):
    response = scrape(client)
    assert response.status_code == 200
    assert response.content_type == "text/plain; version=0.0.4; charset=utf-8"
    assert "Set-Cookie" not in response.headers
    text = response.get_data(as_text=True)
    assert "# TYPE service_desk_http_requests_total counter" in text
    assert "# TYPE service_desk_http_request_duration_seconds histogram" in text


def test_a_booking_counts_by_route_template_and_status(app, client, seeded, token, capsys):
    open_every_day(app, capacity=2, ahead=14, periods=EIGHT_TO_EIGHT)
    start = free_times(app, count=1)[0].start
    labels = {"endpoint": "/api/v1/appointments", "method": "POST", "status": "201"}
    before = samples(scrape(client))
    booked = client.post("/api/v1/appointments", json={
        "service_code": "appointment", "start": start.isoformat(), "name": "李阿姨",
        "phone": PHONE, "group": "elderly"})
    assert booked.status_code == 201
    reference = booked.get_json()["reference"]
    # ... and the JSON log has its line, under the same request id, without the phone
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines()
              if line.startswith("{") and '"service_desk.request"' in line]
    assert {"method": "POST", "path": "/api/v1/appointments", "status": 201,
            "request_id": booked.headers["X-Request-ID"]}.items() <= logged[-1].items()
    assert PHONE not in json.dumps(logged)
    assert client.get(f"/api/v1/appointments/{reference}?phone={PHONE}").status_code == 200
    client.get(f"/no-such-page/{PHONE}")
    after = samples(scrape(client))

    assert value(after, "service_desk_http_requests_total", **labels) == \
        value(before, "service_desk_http_requests_total", **labels) + 1
    assert value(after, "service_desk_http_request_duration_seconds_count", **labels) == \
        value(before, "service_desk_http_request_duration_seconds_count", **labels) + 1
    assert value(after, "service_desk_http_request_duration_seconds_bucket", le="+Inf",
                 **labels) >= 1
    assert value(after, "service_desk_http_request_duration_seconds_sum", **labels) > 0
    # the template, never the path: no reference, no phone, one series for unknown pages
    endpoints = {dict(labels_)["endpoint"] for (name, labels_) in after
                 if name == "service_desk_http_requests_total"}
    assert "/api/v1/appointments/<reference>" in endpoints and "none" in endpoints
    assert not any(reference in e or PHONE in e for e in endpoints)
    # the scrapes are not counted
    assert "/metrics" not in endpoints

    # the booking's text waits in the outbox
    assert value(after, "service_desk_outbox_notifications", status="pending") == 1
    assert value(after, "service_desk_outbox_notifications", status="sent") == 0
    assert value(after, "service_desk_outbox_notifications", status="failed") == 0
    assert 0 <= value(after, "service_desk_outbox_oldest_pending_seconds") < 600
    # the pool of the test's engine (SQLite files and PostgreSQL both use a QueuePool)
    assert value(after, "service_desk_db_pool_size") >= 1
    assert value(after, "service_desk_db_pool_checked_out") >= 1  # the test's own connection
    assert ("service_desk_db_pool_overflow", frozenset()) in after


def test_each_app_has_its_own_registry(app, token, tmp_path):
    """A second app in the same process (the tests make many) counts apart and does not
    clash with the first's metric names."""
    other = create_app({"SECRET_KEY": "x", "ENV_NAME": "testing", "METRICS_TOKEN": "other",
                        "DATABASE_URL": f"sqlite:///{tmp_path}/other.sqlite3"})
    assert other.test_client().get("/healthz").status_code == 200
    found = samples(scrape(other.test_client(), "other"))
    assert value(found, "service_desk_http_requests_total", endpoint="/healthz",
                 method="GET", status="200") == 1


def test_a_numeric_looking_token_from_the_environment_stays_a_string(monkeypatch, tmp_path):
    monkeypatch.setenv("SERVICE_DESK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SERVICE_DESK_SECRET_KEY", "x")
    monkeypatch.setenv("SERVICE_DESK_DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite3")
    monkeypatch.setenv("SERVICE_DESK_METRICS_TOKEN", "1e3")  # JSON would read 1000.0
    app = create_app()
    assert app.config["METRICS_TOKEN"] == "1e3"
    client = app.test_client()
    assert client.get("/metrics", headers={"Authorization": "Bearer 1000.0"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer 1e3"}).status_code == 200


def test_multiprocess_mode_adds_up_the_workers(monkeypatch, tmp_path):
    """With PROMETHEUS_MULTIPROC_DIR (gunicorn's workers, each with its app), any worker
    answers for all. Two apps stand for two workers: prometheus_client's documented
    process identifier names each one's files."""
    from prometheus_client import values

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    config = {"SECRET_KEY": "x", "ENV_NAME": "testing", "METRICS_TOKEN": "t",
              "DATABASE_URL": f"sqlite:///{tmp_path}/workers.sqlite3"}
    workers = []
    for pid in (1001, 1002):
        monkeypatch.setattr(values, "ValueClass", values.MultiProcessValue(lambda pid=pid: pid))
        workers.append(create_app(config))
        assert workers[-1].test_client().get("/healthz").status_code == 200
    assert sorted(p.name for p in tmp_path.glob("counter_*.db")) == ["counter_1001.db",
                                                                      "counter_1002.db"]
    found = samples(scrape(workers[0].test_client(), "t"))
    assert value(found, "service_desk_http_requests_total", endpoint="/healthz", method="GET",
                 status="200") == 2
    assert value(found, "service_desk_db_pool_size", pid=str(os.getpid())) >= 1
