"""The board's two charts: progress by lead unit and completions per month, drawn with the
shared primitives of base/charts.py (each chart's numbers are also in a table on the page)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from flask_babel import gettext as _
from markupsafe import Markup

from ..base.charts import WIDTH, Bar, bar_chart
from .queries import GroupRow, MonthRow


def unit_progress_chart(groups: Sequence[GroupRow], label: Callable[[GroupRow], str], *,
                        width: int = WIDTH) -> Markup:
    """Share of each lead unit's public items completed: "3 of 5 completed" per bar."""
    bars = [Bar(label=label(g), fraction=g.completed / g.items if g.items else 0.0,
                value_text=_("%(done)d of %(total)d", done=g.completed, total=g.items))
            for g in groups]
    return bar_chart(
        bars, chart_id="chart-units", title=_("Progress by lead unit"), width=width,
        desc=_("For each lead unit, the filled part of the bar is the share of its items "
               "completed; the numbers are also in the table below the chart."))


def completions_chart(months: Sequence[MonthRow], label: Callable[[dt.date], str], *,
                      width: int = WIDTH) -> Markup:
    """Items completed each month, the longest bar being the busiest month."""
    most = max((m.completed for m in months), default=0)
    bars = [Bar(label=label(m.month), fraction=m.completed / most if most else 0.0,
                value_text=_("%(n)d completed", n=m.completed)) for m in months]
    return bar_chart(
        bars, chart_id="chart-months", title=_("Items completed per month"), width=width,
        desc=_("One bar per month, from the first completion recorded to the last; the numbers "
               "are also in the table below the chart."))
