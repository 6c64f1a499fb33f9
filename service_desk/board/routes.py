"""The public progress board: thin views over board.queries, no login, no personal data."""
from __future__ import annotations

from flask import Response, abort, current_app, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user

from ..base.calendar import today
from ..base.charts import ELDER_WIDTH, WIDTH
from ..base.inputs import id_arg
from ..base.paging import page_arg
from ..i18n import elder_mode
from ..matters.forms import STATUS_LABELS
from ..matters.queries import is_due_soon, is_overdue, status_from_arg
from ..permissions import is_on_public_board
from ..ratings.stats import EVALUATION_TARGET, GOOD_RATING_TARGET
from ..satisfaction.charts import trend_chart
from ..satisfaction.display import good_levels_text, localized, month_label, month_series, percent
from . import bp
from .charts import completions_chart, unit_progress_chart
from .queries import (
    NONE,
    BoardFilters,
    GroupRow,
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

PUBLIC_MAX_AGE = 60


@bp.after_request
def cache_briefly(response: Response) -> Response:
    """Board pages may sit in shared caches for a minute, but only the anonymous version.

    A signed-in user's page carries their name and a sign-out form, and a page that touched
    the session would carry a cookie: those keep the app's default no-store. Language and
    elder mode come from cookies, hence Vary: Cookie.
    """
    if (response.status_code == 200 and not current_user.is_authenticated
            and not session.modified):
        response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
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


@bp.get("", strict_slashes=False)
def index():
    now = today()
    filters = filters_from_args(request.args)
    summary = board_summary(today=now)
    units = progress_by_unit(today=now)
    key_issues = progress_by_key_issue(today=now)
    months = completions_by_month()
    chart_width = ELDER_WIDTH if elder_mode() else WIDTH
    page = items_page(filters, today=now, page=page_arg(), per_page=current_app.config["PAGE_SIZE"])
    ratings = public_ratings(today=now)
    rating_points = month_series(ratings.months)
    return render_template(
        "board/index.html", summary=summary, units=units, key_issues=key_issues, months=months,
        page=page, filters=filters, options=filter_options(units, key_issues),
        unit_chart=unit_progress_chart(units, unit_label, width=chart_width) if units else None,
        month_chart=completions_chart(months, month_label, width=chart_width) if months else None,
        unit_label=unit_label, key_issue_label=key_issue_label, month_label=month_label,
        ratings=ratings, rating_points=rating_points, percent=percent,
        rating_month_label=lambda point: month_label(point.month),
        rating_chart=trend_chart(rating_points, width=chart_width) if rating_points else None,
        good_levels_text=good_levels_text(),
        rating_targets={"evaluation": f"{EVALUATION_TARGET:.0%}",
                         "good": f"{GOOD_RATING_TARGET:.0%}"},
        **_display_helpers(),
    )


@bp.get("/<number>")
def detail(number: str):
    item = public_item(number)
    if item is None or not is_on_public_board(item):
        abort(404)  # a private item is not acknowledged at all
    return render_template(
        "board/detail.html", item=item, history=public_history(item.id),
        co_units=co_unit_names(item.id), **_display_helpers(),
    )
