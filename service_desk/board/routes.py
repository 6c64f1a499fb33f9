"""The public progress board: thin views over board.queries, no login, no personal data."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Response, abort, current_app, render_template, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..base.calendar import today
from ..base.charts import ELDER_WIDTH, WIDTH
from ..base.inputs import id_arg
from ..base.paging import page_arg
from ..campaign.queries import ReportedRates, reported_rates
from ..i18n import elder_mode
from ..matters.forms import STATUS_LABELS
from ..matters.queries import is_due_soon, is_overdue, status_from_arg
from ..permissions import is_on_public_board
from ..projects.queries import PublicTotals, public_totals
from ..ratings.stats import Targets, rating_targets
from ..satisfaction.charts import trend_chart
from ..satisfaction.display import good_levels_text, localized, month_label, month_series, percent
from . import bp
from .charts import completions_chart
from .fresh import fresh
from .queries import (
    NONE,
    BoardFilters,
    GroupRow,
    MonthRow,
    PublicRatings,
    Summary,
    board_summary,
    co_unit_names,
    completions_by_month,
    filter_options,
    items_page,
    progress_by_key_issue,
    progress_by_unit,
    public_history,
    public_item,
    public_ratings,
)


@bp.after_request
def cache_briefly(response: Response) -> Response:
    """Board pages may be stored by shared caches, but only the anonymous version, and only
    to be checked again on every view: the board is fresh within a second of a change (the
    server keeps its figures at most BOARD_CACHE_SECONDS, board/fresh.py), so a minute in a
    cache would show a change late.

    A signed-in user's page carries their name and a sign-out form, and a page that touched
    the session would carry a cookie: those keep the app's default no-store. Language and
    elder mode come from cookies, hence Vary: Cookie.
    """
    if (response.status_code == 200 and not current_user.is_authenticated
            and not session.modified):
        response.headers["Cache-Control"] = "public, no-cache"
        response.vary.add("Cookie")
    return response


def unit_label(group: GroupRow) -> str:
    return localized(group.name, group.name_en) if group.key else _("No lead unit stated")


def key_issue_label(group: GroupRow) -> str:
    if group.key is None:
        return _("Not yet assigned to a key issue")
    return _("Key issue %(n)s: %(title)s", n=group.key, title=localized(group.name, group.name_en))


def filters_from_args(args) -> BoardFilters:
    """Unknown filter values are ignored rather than failing the page."""
    status = status_from_arg(args.get("status"))
    raw_issue = args.get("key_issue", "")
    key_issue: int | str | None = None
    if raw_issue == NONE:
        key_issue = NONE
    else:
        key_issue = id_arg(args, "key_issue")
    return BoardFilters(unit=args.get("unit") or None, key_issue=key_issue, status=status,
                        overdue=args.get("overdue") == "1")


def _display_helpers() -> dict:
    return {"statuses": STATUS_LABELS, "today": today(), "is_overdue": is_overdue,
            "is_due_soon": is_due_soon, "due_soon_days": current_app.config["DUE_SOON_DAYS"],
            "loc": localized, "NONE": NONE}


@dataclass(frozen=True)
class ZoneFigures:
    """Everything the board shows that is the same for every visitor and every filter."""

    summary: Summary
    units: list[GroupRow]
    key_issues: list[GroupRow]
    months: list[MonthRow]
    ratings: PublicRatings
    targets: Targets
    reported: ReportedRates
    projects: PublicTotals  # a count and a sum, never a project's name


def _zone_figures(now: dt.date) -> ZoneFigures:
    return ZoneFigures(
        summary=board_summary(today=now), units=progress_by_unit(today=now),
        key_issues=progress_by_key_issue(today=now), months=completions_by_month(),
        ratings=public_ratings(today=now), targets=rating_targets(), reported=reported_rates(),
        projects=public_totals())


@bp.get("", strict_slashes=False)
def index():
    """Anonymous visitors without a session (a WeChat share) all get the same page for a
    path, language and elder mode: the rendered page is kept as the figures are. A signed-in
    user's page carries their name, and a session may carry flashed messages: rendered anew."""
    if current_user.is_authenticated or session:
        return _index_page()
    return fresh(("page", request.full_path, str(get_locale()), elder_mode()), _index_page)


def _index_page() -> str:
    now = today()
    filters = filters_from_args(request.args)
    # zone-wide aggregates and the items pages: at most BOARD_CACHE_SECONDS old (board/fresh.py)
    zone = fresh(("figures", now), lambda: _zone_figures(now))
    summary, units, key_issues, months = zone.summary, zone.units, zone.key_issues, zone.months
    chart_width = ELDER_WIDTH if elder_mode() else WIDTH
    per_page, page_no = current_app.config["PAGE_SIZE"], page_arg()
    page = fresh(("items", filters, page_no, per_page, now),
                 lambda: items_page(filters, today=now, page=page_no, per_page=per_page))
    ratings, targets = zone.ratings, zone.targets
    rating_points = month_series(ratings.months)
    return render_template(
        "board/index.html", summary=summary, units=units, key_issues=key_issues, months=months,
        page=page, filters=filters, options=filter_options(units, key_issues),
        month_chart=completions_chart(months, month_label, width=chart_width) if months else None,
        unit_label=unit_label, key_issue_label=key_issue_label, month_label=month_label,
        ratings=ratings, rating_points=rating_points, percent=percent,
        rating_month_label=lambda point: month_label(point.month),
        rating_chart=(trend_chart(rating_points, width=chart_width, targets=targets)
                      if rating_points else None),
        good_levels_text=good_levels_text(),
        rating_targets=targets, reported=zone.reported,
        project_totals=zone.projects,
        **_display_helpers(),
    )


@bp.get("/<number>")
def detail(number: str):
    item = public_item(number)
    if item is None or not is_on_public_board(item):
        abort(404)  # a private item is not acknowledged at all
    return render_template(
        "board/detail.html", item=item, history=public_history(item.id),
        co_units=[localized(name, name_en) for name, name_en in co_unit_names(item.id)],
        **_display_helpers(),
    )
