"""The dashboard's figures as a workbook (one sheet per breakdown) or one long CSV.

Rates are numbers (0.667) shown as percentages in the workbook, empty where nothing can be
divided. Text that a spreadsheet would run as a formula stays text (the CSV goes through
exporting.csv_response, which guards it; the workbook marks such cells as strings).
"""
from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from typing import IO, Any
from urllib.parse import quote

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from ..ratings.labels import level_label
from ..ratings.stats import Figures, RatingStats, Row
from .display import channel_label, month_series, service_label, unit_label
from .forms import DashboardFilters, month_key

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT = "0.0%"
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def attachment(filename: str, fallback: str) -> str:
    """Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _figure_values(f: Figures) -> list[Any]:
    return [f.completed, f.rated, f.good, f.excluded, f.evaluation_rate, f.good_rating_rate]


def _figure_headers() -> list[str]:
    return [_("Completed"), _("Rated"), _("Good"), _("Left out after upheld appeals"),
            _("Evaluation rate"), _("Good-rating rate")]


def _sheet(book: Workbook, title: str):
    sheet = book.create_sheet(_SHEET_BAD.sub(" ", title)[:31])
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 36
    return sheet


def _append(sheet, values: list[Any], *, percent_from: int | None = None,
            bold: bool = False) -> None:
    """One row; columns from ``percent_from`` (0-based) on are rates shown as percentages."""
    clean = [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values]
    sheet.append(clean)
    for index, cell in enumerate(sheet[sheet.max_row]):
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"  # text, never a formula
        if percent_from is not None and index >= percent_from and \
                isinstance(cell.value, (int, float)):
            cell.number_format = PERCENT
        if bold:
            cell.font = Font(bold=True)


def _breakdown(book: Workbook, title: str, key_header: str, label_header: str,
               rows: list[tuple[str, str, Figures]], *, ranks: list[int | None] | None = None
               ) -> None:
    sheet = _sheet(book, title)
    lead = [_("Rank")] if ranks is not None else []
    _append(sheet, [*lead, key_header, label_header, *_figure_headers()], bold=True)
    first_rate = len(lead) + 6
    for i, (key, label, figures) in enumerate(rows):
        rank = [ranks[i]] if ranks is not None else []
        _append(sheet, [*rank, key, label, *_figure_values(figures)], percent_from=first_rate)
    sheet.freeze_panes = "A2"


def write_xlsx(stats: RatingStats, *, filters: DashboardFilters, period: str,
               ranking: list[tuple[int | None, Row]], good_levels: str) -> IO[bytes]:
    """The workbook in a rewound temporary file."""
    book = Workbook()
    book.remove(book.active)
    overall = _sheet(book, _("Overall"))
    for label, value in (
            (_("Period"), period),
            (_("Unit"), unit_label_of(filters)),
            (_("Service"), service_label_of(filters)),
            (_("Channel"), channel_label(filters.channel.value) if filters.channel
             else _("All channels")),
            (_("Good ratings"), good_levels),
            (_("Evaluation rate"), _("rated ÷ completed")),
            (_("Good-rating rate"), _("good ÷ rated")),
    ):
        _append(overall, [label, value])
    _append(overall, [])
    _append(overall, _figure_headers(), bold=True)
    _append(overall, _figure_values(stats.overall), percent_from=4)
    _append(overall, [])
    _append(overall, [_("Level"), _("Rating"), _("Ratings counted")], bold=True)
    for level in sorted(stats.levels, reverse=True):
        _append(overall, [level, level_label(level), stats.levels[level]])

    _breakdown(book, _("By unit"), _("Unit code"), _("Unit"),
               [(r.key, unit_label(r), r.figures) for _rank, r in ranking],
               ranks=[rank for rank, _row in ranking])
    _breakdown(book, _("By service"), _("Service code"), _("Service"),
               [(r.key, service_label(r), r.figures) for r in stats.by_service])
    _breakdown(book, _("By channel"), _("Channel code"), _("Channel"),
               [(r.key, channel_label(r.key), r.figures) for r in stats.by_channel])
    _breakdown(book, _("By month"), _("Month"), _("Month"),
               [(month_key(p.month), month_key(p.month), p.figures)
                for p in month_series(stats.by_month)])

    rect = stats.rectification
    sheet = _sheet(book, _("Rectifications"))
    sheet.column_dimensions["A"].width = 48
    _append(sheet, [_("Figure"), _("Value")], bold=True)
    for label, value, is_rate in (
            (_("Bad ratings (each opens a rectification)"), rect.total, False),
            (_("Called back"), rect.called_back, False),
            (_("Call-back rate (called back ÷ bad ratings)"), rect.callback_rate, True),
            (_("Closed"), rect.closed, False),
            (_("Closed by the deadline"), rect.closed_on_time, False),
            (_("Open and past the deadline"), rect.open_overdue, False),
            (_("On-time rate (closed by the deadline ÷ (closed + open past the deadline))"),
             rect.on_time_rate, True),
            (_("Appeals upheld (ratings left out)"), rect.upheld_appeals, False),
    ):
        _append(sheet, [label, value], percent_from=1 if is_rate else None)

    out = tempfile.TemporaryFile()  # noqa: SIM115 - send_file streams and closes it
    book.save(out)
    out.seek(0)
    return out


def unit_label_of(filters: DashboardFilters) -> str:
    if filters.unit is None:
        return _("All units")
    return unit_label(Row(key=filters.unit.code, label=filters.unit.name,
                          label_en=filters.unit.name_en, figures=Figures()))


def service_label_of(filters: DashboardFilters) -> str:
    if filters.service is None:
        return _("All services")
    return service_label(Row(key=filters.service.code, label=filters.service.name,
                             label_en=filters.service.name_en, figures=Figures()))


def csv_rows(stats: RatingStats) -> Iterator[list[Any]]:
    """Long format: dimension, key, label, completed, rated, good, excluded, the two rates."""
    def line(dimension: str, key: str, label: str, f: Figures) -> list[Any]:
        return [dimension, key, label, f.completed, f.rated, f.good, f.excluded,
                _rate(f.evaluation_rate), _rate(f.good_rating_rate)]

    yield line("overall", "", _("All"), stats.overall)
    for row in stats.by_unit:
        yield line("unit", row.key, unit_label(row), row.figures)
    for row in stats.by_service:
        yield line("service", row.key, service_label(row), row.figures)
    for row in stats.by_channel:
        yield line("channel", row.key, channel_label(row.key), row.figures)
    for row in stats.by_month:
        yield line("month", row.key, row.key, row.figures)
