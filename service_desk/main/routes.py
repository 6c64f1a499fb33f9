"""Home page, staff's work page, /healthz and /readyz, language and elder-mode switches."""
from __future__ import annotations

from flask import (
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
)
from flask_login import current_user
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from ..accounts.landing import landing_url
from ..base.calendar import today
from ..base.links import safe_next
from ..campaign.models import CampaignFigure
from ..extensions import db, limiter
from ..i18n import ELDER_COOKIE, LANG_COOKIE
from ..matters.forms import STATUS_LABELS as MATTER_STATUSES
from ..matters.queries import MatterFilters, is_due_soon, is_overdue, ledger_counts, matters_page
from ..permissions import Role, role_required
from ..schedule.labels import STATUS_LABELS as BOOKING_STATUSES
from ..schedule.queries import day_schedule
from . import bp

# the unit's items shown on the work page; the full list is one link away
WORK_ITEMS = 50

ONE_YEAR = 365 * 24 * 3600


@bp.get("/")
def home():
    figures = {f.key: f for f in db.session.scalars(select(CampaignFigure))}
    work_url = landing_url(current_user) if current_user.is_authenticated else None
    return render_template("main/home.html", counts=ledger_counts(), figures=figures,
                           work_url=work_url)


@bp.get("/work")
@role_required(Role.STAFF)
def work():
    """Staff's landing page: their unit's items (overdue first) and today's appointments."""
    unit = current_user.unit
    day = today()
    items = matters_page(MatterFilters(unit=unit.code), today=day, page=1, per_page=WORK_ITEMS)
    return render_template(
        "main/work.html", unit=unit, items=items, schedule=day_schedule(unit=unit, day=day),
        today=day, matter_statuses=MATTER_STATUSES, booking_statuses=BOOKING_STATUSES,
        is_overdue=is_overdue, is_due_soon=is_due_soon,
        due_soon_days=current_app.config["DUE_SOON_DAYS"])


@bp.get("/favicon.ico")
def favicon():
    """Browsers and feed readers ask here whatever the page's <link rel=icon> says."""
    return send_from_directory(current_app.static_folder, "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=ONE_YEAR)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:  # any failure to reach the database means "not ready"
        current_app.logger.warning("readiness check failed: %s", exc)
        db.session.rollback()
        return (jsonify(status="unavailable", database="unreachable"), 503,
                {"Retry-After": str(current_app.config["RETRY_AFTER_SECONDS"])})
    if not _rate_limit_storage_answers():
        # still serving, with per-process counters: ready, but say what is degraded
        return jsonify(status="degraded", database="ok", redis="unreachable")
    return jsonify(status="ok", database="ok")


def _rate_limit_storage_answers() -> bool:
    """Whether the shared rate-limit counters (Redis, when configured) answer a ping."""
    try:
        return bool(limiter.storage.check())
    except Exception as exc:  # noqa: BLE001 - any failure of the store means "does not answer"
        current_app.logger.warning("rate-limit storage check failed: %s", exc)
        return False


@bp.get("/prefs")
def prefs():
    """Set language or elder mode from a plain link (one tap, works without JavaScript)."""
    response = make_response(redirect(safe_next(request.args.get("next"))))
    lang = request.args.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, lang, max_age=ONE_YEAR, samesite="Lax", httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    elder = request.args.get("elder")
    if elder in ("0", "1"):
        response.set_cookie(ELDER_COOKIE, elder, max_age=ONE_YEAR, samesite="Lax", httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
