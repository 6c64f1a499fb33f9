"""What operators watch: one log line per request (``request_log``) and the Prometheus
``/metrics`` (``metrics``). Wired by ``create_app``; knows no feature."""
from __future__ import annotations

from flask import Flask

from . import metrics, request_log


def init_app(app: Flask) -> None:
    request_log.init_app(app)
    metrics.init_app(app)
