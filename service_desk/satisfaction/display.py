"""How the rating figures read on pages and in exports: percentages, labels, month series."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.dates import format_skeleton
from flask_babel import get_locale
from flask_babel import gettext as _

from ..catalog.models import Channel
from ..ratings.labels import level_label
from ..ratings.models import GOOD_LEVELS
from ..ratings.stats import Figures, Row
from ..requests.labels import CHANNEL_LABELS
from .forms import add_months, parse_month

DASH = "—"  # no division possible
MAX_FILLED_MONTHS = 120


def percent(value: float | None) -> str:
    """66.7%: one decimal; "—" when the rate cannot be computed (nothing to divide by)."""
    return DASH if value is None else f"{value * 100:.1f}%"


def good_levels_text() -> str:
    """Which levels count as good, in words (shown wherever a good-rating rate is)."""
    return _("A rating counts as good when it is %(a)s or %(b)s (levels %(m)d and %(n)d of 5).",
             a=level_label(GOOD_LEVELS[1]), b=level_label(GOOD_LEVELS[0]),
             m=int(GOOD_LEVELS[0]), n=int(GOOD_LEVELS[1]))


def localized(zh: str | None, en: str | None) -> str:
    """The English name when the page is in English and one exists, else the Chinese one."""
    if en and str(get_locale()).startswith("en"):
        return en
    return zh or ""


def month_label(month: dt.date) -> str:
    return format_skeleton("yMMM", month, locale=get_locale())


def short_month(month: dt.date) -> str:
    return format_skeleton("MMM", month, locale=get_locale())


def year_label(month: dt.date) -> str:
    return format_skeleton("y", month, locale=get_locale())


def channel_label(key: str) -> str:
    channel = next((c for c in Channel if c.value == key), None)
    return str(CHANNEL_LABELS[channel]) if channel in CHANNEL_LABELS else key


def unit_label(row: Row) -> str:
    return localized(row.label, row.label_en) if row.key else _("No unit recorded")


def service_label(row: Row) -> str:
    return localized(row.label, row.label_en) or row.key


@dataclass(frozen=True)
class MonthPoint:
    month: dt.date
    figures: Figures


def month_series(rows: list[Row]) -> list[MonthPoint]:
    """The months from the first with data to the last, oldest first; a month with nothing
    completed is kept (all zeros) so the chart reads as a timeline."""
    found = {parse_month(r.key): r.figures for r in rows if parse_month(r.key)}
    if not found:
        return []
    first, last = min(found), max(found)
    span = (last.year - first.year) * 12 + last.month - first.month
    if span > MAX_FILLED_MONTHS:
        return [MonthPoint(m, found[m]) for m in sorted(found)]
    months = [add_months(first, i) for i in range(span + 1)]
    return [MonthPoint(m, found.get(m, Figures())) for m in months]
