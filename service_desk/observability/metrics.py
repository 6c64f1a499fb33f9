"""``GET /metrics`` in Prometheus' text format: requests and their latency by route template,
method and status; the notification outbox by status; the database connection pool.

Only with ``Authorization: Bearer <METRICS_TOKEN>``; without the token configured, or with a
missing or wrong one, it is the ordinary 404 page (nothing tells a prober it exists).

Several gunicorn workers: set ``PROMETHEUS_MULTIPROC_DIR`` (an empty directory, wiped at each
start, before the workers import the app) and call
``prometheus_client.multiprocess.mark_process_dead(worker.pid)`` in gunicorn's ``child_exit``
hook; any worker then answers the requests of all. The outbox figures come from the database
and are the same from every worker; the pool figures are the answering worker's own pool
(labelled with its ``pid``).
"""
from __future__ import annotations

import hmac
import os
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, abort, current_app, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from ..db import utcnow
from ..extensions import db
from ..notifications.models import Notification, NotificationStatus
from . import request_log

# the classic text format, which every Prometheus scrapes, whatever the library's newest
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
EXTENSION = "service_desk.metrics"
ENDPOINT = "observability.scrape"
# the label values must stay few: a client's own method names would each make a new series
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

bp = Blueprint("observability", __name__)


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class OutboxCollector:
    """Notifications by status and the age of the oldest pending one, read at scrape time
    (one grouped query: the figures are the database's, the same from every worker)."""

    def collect(self) -> Iterator[Metric]:
        query = (select(Notification.status, func.count(), func.min(Notification.created_at))
                 .group_by(Notification.status))
        try:
            rows = {status: (count, oldest) for status, count, oldest in db.session.execute(query)}
        except SQLAlchemyError as exc:  # the database is down: the other figures still answer
            db.session.rollback()
            current_app.logger.warning("outbox metrics unavailable: %s", exc)
            return
        counts = GaugeMetricFamily("service_desk_outbox_notifications",
                                   "Notifications in the outbox by status (pending and failed "
                                   "are the backlog)", labels=["status"])
        for status in NotificationStatus:
            counts.add_metric([status.value], rows.get(status, (0, None))[0])
        yield counts
        oldest = rows.get(NotificationStatus.PENDING, (0, None))[1]
        yield GaugeMetricFamily("service_desk_outbox_oldest_pending_seconds",
                                "Age of the oldest pending notification (0 when none)",
                                value=max(0.0, (utcnow() - oldest).total_seconds()) if oldest else 0)


class PoolCollector:
    """The SQLAlchemy connection pool of this process: its size, connections checked out,
    connections beyond the size. A pool without a size (SQLite in memory, NullPool) reports
    what it has."""

    GAUGES = (("service_desk_db_pool_size", "Connections the pool keeps", "size"),
              ("service_desk_db_pool_checked_out", "Connections in use", "checkedout"),
              ("service_desk_db_pool_overflow", "Connections open beyond the pool size",
               "overflow"))

    def __init__(self, per_process: bool) -> None:
        self.labels = ["pid"] if per_process else []

    def collect(self) -> Iterator[Metric]:
        pool = db.engine.pool
        values = [str(os.getpid())] if self.labels else []
        for name, text, method in self.GAUGES:
            read = getattr(pool, method, None)
            if callable(read):
                gauge = GaugeMetricFamily(name, text, labels=self.labels)
                # QueuePool counts unopened places as negative overflow
                gauge.add_metric(values, max(0, int(read())))
                yield gauge


class AppMetrics:
    """The metrics of one app. Each app has its own registry, so apps made in one process
    (tests) never share or clash; in multiprocess mode the counts go to files and the
    registry reads those of all workers."""

    def __init__(self) -> None:
        shared = multiprocess()
        own = None if shared else CollectorRegistry()
        labels = ["endpoint", "method", "status"]
        self.requests = Counter("service_desk_http_requests",
                                "HTTP requests answered, by route template, method and status",
                                labels, registry=own)
        self.latency = Histogram("service_desk_http_request_duration_seconds",
                                 "Time to answer, by route template, method and status",
                                 labels, buckets=BUCKETS, registry=own)
        self.registry = own or CollectorRegistry()
        if shared:
            MultiProcessCollector(self.registry)
        self.registry.register(OutboxCollector())
        self.registry.register(PoolCollector(per_process=shared))
        # each label set's two children, looked up once: labels() validates and locks per call
        self._children: dict[tuple[str, str, str], tuple] = {}

    def observe(self, response: Response) -> Response:
        if request.endpoint != ENDPOINT:  # the scrapes themselves would dominate the counts
            rule = request.url_rule
            self.count(rule.rule if rule is not None else "none", request.method,
                       response.status_code, request_log.elapsed())
        return response

    def count(self, rule: str, method: str, status: int, seconds: float) -> None:
        """One request answered: its route template, method, status and time."""
        labels = (rule, method if method in METHODS else "other", str(status))
        children = self._children.get(labels)
        if children is None:
            children = self._children[labels] = (self.requests.labels(*labels),
                                                 self.latency.labels(*labels))
        children[0].inc()
        children[1].observe(seconds)


def _authorised() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    header = request.headers.get("Authorization", "")
    given = header[len("Bearer "):].strip() if header.startswith("Bearer ") else ""
    # compared in constant time: the answer must not tell how much of a guess was right
    return bool(token) and hmac.compare_digest(given.encode(), str(token).encode())


@bp.get("/metrics")
def scrape():
    if not _authorised():
        abort(404)
    registry = current_app.extensions[EXTENSION].registry
    return Response(generate_latest(registry), content_type=CONTENT_TYPE)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = metrics = AppMetrics()
    app.after_request(metrics.observe)
    app.register_blueprint(bp)
