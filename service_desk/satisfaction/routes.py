"""The satisfaction dashboard (好差评): thin views over ratings.stats, for supervisors.

Every figure comes from ``rating_figures`` (a fixed number of statements); the page, the
.xlsx and the .csv take the same filters from the query string.
"""
from __future__ import annotations

from flask import render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import Role
from ..audit.services import audit_record
from ..base.calendar import today
from ..base.charts import ELDER_WIDTH, WIDTH
from ..campaign.queries import reported_rates
from ..catalog.models import Channel, Service
from ..exporting import csv_response
from ..extensions import db
from ..i18n import elder_mode
from ..permissions import can_view_satisfaction, require, role_required
from ..ratings.labels import level_label
from ..ratings.models import GOOD_LEVELS
from ..ratings.stats import RatingStats, Row, rating_figures, rating_targets
from ..requests.labels import CHANNEL_LABELS
from ..units.models import Unit
from . import bp
from .charts import RateBars, rates_bar_chart, trend_chart
from .display import (
    channel_label,
    good_levels_text,
    localized,
    month_label,
    month_series,
    percent,
    service_label,
    unit_label,
)
from .export import XLSX_MIMETYPE, attachment, csv_rows, write_xlsx
from .forms import ALL_TIME, DashboardFilters, filters_from_args, months_offered

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)


def _choices() -> tuple[list[Unit], list[Service]]:
    units = list(db.session.scalars(select(Unit).order_by(Unit.is_active.desc(), Unit.code)))
    services = list(db.session.scalars(select(Service).order_by(Service.code)))
    return units, services


def _filters() -> tuple[DashboardFilters, list[Unit], list[Service]]:
    units, services = _choices()
    return filters_from_args(request.args, today=today(), units=units, services=services), \
        units, services


def period_label(filters: DashboardFilters) -> str:
    if filters.all_time:
        return _("All time, up to %(last)s", last=month_label(filters.last_month))
    if filters.first_month == filters.last_month:
        return month_label(filters.first_month)
    return _("%(first)s to %(last)s", first=month_label(filters.first_month),
             last=month_label(filters.last_month))


def ranked(rows: list[Row]) -> list[tuple[int | None, Row]]:
    """Rank numbers for the ranking (best first): equal rates share a rank ("1, 2, 2, 4");
    a unit with nothing rated has no rank."""
    out: list[tuple[int | None, Row]] = []
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        f = row.figures
        if f.good_rating_rate is None:
            out.append((None, row))
            continue
        key = (f.good_rating_rate, f.evaluation_rate)
        if key != previous:
            rank, previous = position, key
        out.append((rank, row))
    return out


@bp.get("", strict_slashes=False)
@role_required(*SUPERVISORS)
def index():
    require(can_view_satisfaction(current_user))
    filters, units, services = _filters()
    stats = rating_figures(filters.stats_filter())
    width = ELDER_WIDTH if elder_mode() else WIDTH
    targets = rating_targets()
    points = month_series(stats.by_month)
    unit_rows = [RateBars(unit_label(r), r.figures.evaluation_rate, r.figures.good_rating_rate)
                 for r in stats.by_unit]
    return render_template(
        "satisfaction/index.html", filters=filters, stats=stats, units=units, services=services,
        channels=list(Channel), channel_labels=CHANNEL_LABELS, months=months_offered(today()),
        ALL_TIME=ALL_TIME, period=period_label(filters), points=points,
        ranking=ranked(stats.unit_ranking),
        month_chart=trend_chart(points, width=width, targets=targets) if points else None,
        unit_chart=rates_bar_chart(unit_rows, chart_id="chart-rating-units",
                                   title=_("Evaluation rate and good-rating rate by unit"),
                                   width=width, targets=targets) if unit_rows else None,
        percent=percent, unit_label=unit_label, service_label=service_label,
        channel_label=channel_label, month_label=month_label, level_label=level_label,
        point_label=lambda point: month_label(point.month),
        channel_row_label=lambda row: channel_label(row.key),
        loc=localized, good_levels_text=good_levels_text(),
        good_levels=[int(level) for level in GOOD_LEVELS],
        targets=targets, reported=reported_rates(),
    )


def _audit_export(fmt: str, filters: DashboardFilters) -> None:
    audit_record(actor=current_user._get_current_object(), action="satisfaction.export",
                 obj_type="satisfaction", after={"format": fmt, **filters.query_args()})
    db.session.commit()


def _stem() -> str:
    return f"satisfaction-{today().isoformat()}"


@bp.get("/export.xlsx")
@role_required(*SUPERVISORS)
def export_xlsx():
    """One sheet per breakdown, the rates as numbers formatted as percentages."""
    require(can_view_satisfaction(current_user))
    filters, _units, _services = _filters()
    stats: RatingStats = rating_figures(filters.stats_filter())
    out = write_xlsx(stats, filters=filters, period=period_label(filters),
                     ranking=ranked(stats.unit_ranking), good_levels=good_levels_text())
    _audit_export("xlsx", filters)
    response = send_file(out, mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=f"{_stem()}.xlsx", etag=False)
    response.headers["Content-Disposition"] = attachment(
        f"{_('satisfaction')}-{today().isoformat()}.xlsx", f"{_stem()}.xlsx")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/export.csv")
@role_required(*SUPERVISORS)
def export_csv():
    """Every breakdown in one long table: dimension, key, label and the figures."""
    require(can_view_satisfaction(current_user))
    filters, _units, _services = _filters()
    stats = rating_figures(filters.stats_filter())
    rows = list(csv_rows(stats))
    _audit_export("csv", filters)
    response = csv_response(f"{_stem()}.csv", [
        "dimension", "key", "label", "completed", "rated", "good", "excluded",
        "evaluation_rate", "good_rating_rate"], rows)
    response.headers["Cache-Control"] = "no-store"
    return response
