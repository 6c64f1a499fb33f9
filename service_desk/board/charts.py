"""The board's chart of completions per month, drawn with the shared primitives of
base/charts.py (its numbers are also in a table on the page). Progress by lead unit is drawn
in HTML (board/_macros.html unit_bars), so its bars take the column's width at any size."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from flask_babel import gettext as _
from markupsafe import Markup

from ..base.charts import WIDTH, Bar, bar_chart
from .queries import MonthRow


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
