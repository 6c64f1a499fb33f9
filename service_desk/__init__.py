"""Service Desk: the citizen-service system of the Weihai Economic and Technological Development Zone."""
from __future__ import annotations

import gc
import os
from typing import Any

from flask import Flask

from . import config
from .flask_app import ServiceDeskFlask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then SERVICE_DESK_* variables."""
    # SERVICE_DESK_INSTANCE_PATH moves instance/ (config.py, secret_key, the SQLite file)
    app = ServiceDeskFlask(__name__, instance_relative_config=True,
                           instance_path=os.environ.get("SERVICE_DESK_INSTANCE_PATH") or None)
    os.makedirs(app.instance_path, exist_ok=True)
    config.load(app, test_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  (readable Chinese in JSON)

    from . import models  # noqa: F401  (complete metadata before anything reflects on it)
    from .extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    if not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"):
        from .db import ping_when_idle

        with app.app_context():
            ping_when_idle(db.engine, idle_seconds=float(app.config["DB_PING_IDLE_SECONDS"]))
    migrate.init_app(app, db, directory=os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "migrations")),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    from . import i18n, observability, security

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone,
                   default_translation_directories=os.path.join(app.root_path, "translations"))
    i18n.init_app(app)
    security.init_app(app)
    login_manager.init_app(app)

    from .accounts import bp as accounts_bp
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .board import bp as board_bp
    from .booking import bp as booking_bp
    from .catalog.routes import bp as settings_bp
    from .dispatch import bp as dispatch_bp
    from .errors import init_app as init_errors
    from .hotline import bp as hotline_bp
    from .ledger import bp as ledger_bp
    from .ledger import projects_bp as projects_io_bp
    from .main import bp as main_bp
    from .matters import bp as matters_bp
    from .notifications import bp as outbox_bp
    from .open311 import bp as open311_bp
    from .projects.fieldwork_routes import bp as fieldwork_bp
    from .projects.routes import bp as projects_bp
    from .ratings import bp as ratings_bp
    from .rectifications import bp as rectifications_bp
    from .satisfaction import bp as satisfaction_bp
    from .schedule import bp as schedule_bp
    from .supervision import bp as supervision_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(ledger_bp)  # before matters: /matters/export.xlsx is not a number
    app.register_blueprint(matters_bp)
    app.register_blueprint(projects_io_bp)  # /projects/export.xlsx is not a project code
    app.register_blueprint(supervision_bp)
    app.register_blueprint(board_bp)
    app.register_blueprint(outbox_bp)
    app.register_blueprint(booking_bp)
    app.register_blueprint(hotline_bp)
    app.register_blueprint(dispatch_bp)
    app.register_blueprint(schedule_bp)
    app.register_blueprint(settings_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(ratings_bp)
    app.register_blueprint(rectifications_bp)
    app.register_blueprint(satisfaction_bp)
    app.register_blueprint(fieldwork_bp)  # /projects/<code>/fieldwork, /projects/waiting…
    app.register_blueprint(projects_bp)  # /projects: list, detail, leader's page, totals
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)
    app.register_blueprint(open311_bp)
    csrf.exempt(open311_bp)  # client applications authenticate with their api_key
    init_errors(app)
    observability.init_app(app)  # request ids and log lines, /metrics
    from . import slots_lane

    slots_lane.install(app)  # cached slots answers before Flask (needs the routes, the metrics)
    if app.config["BEHIND_PROXY"]:  # outermost: every layer sees the client the proxy reports
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    from .cli import register

    register(app)
    if not app.testing:
        # what the app built to start (modules, metadata, translations: some 200,000 objects)
        # lives as long as the process: out of the collector's full passes, which each cost
        # a request landing on one about 90 ms (issue 13, a booking's p99); collected first,
        # so that no garbage is frozen with it
        gc.collect()
        gc.freeze()
    return app
