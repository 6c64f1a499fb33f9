"""What operators watch: one log line per request (``request_log``) and the Prometheus
``/metrics`` (``metrics``). Wired by ``create_app``; knows no feature."""
from __future__ import annotations

from flask import Flask

from . import metrics, request_log


def answered(app: Flask, rule: str, method: str, status: int, seconds: float,
             request_id: str) -> None:
    """A request answered outside Flask's request handling (the slots lane): its log line
    and its metrics, as the after-request hooks give every other request."""
    request_log.log_request(method, rule, status, seconds, None, request_id,
                            app.extensions[request_log.EXTENSION])
    app.extensions[metrics.EXTENSION].count(rule, method, status, seconds)


def init_app(app: Flask) -> None:
    request_log.init_app(app)
    metrics.init_app(app)
