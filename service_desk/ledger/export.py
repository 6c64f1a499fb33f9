"""Write ledger rows as the offices' spreadsheet: .xlsx (write-only workbook) or .csv (streamed).

Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) stays text: an
explicit string cell in .xlsx, a leading ' in .csv (OWASP advice on CSV injection).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

from .layout import COLUMNS, HEADERS, SHEET_TITLE, column_letter, csv_guard, looks_like_formula
from .queries import LedgerRow

DATE_FORMAT = "yyyy-mm-dd"
EXCEL_CELL_MAX = 32_767
CSV_FLUSH_BYTES = 16 * 1024


def _xlsx_cell(sheet, value: Any):
    if isinstance(value, str):
        # XML cannot hold control characters; an Excel cell holds at most 32,767 characters
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:EXCEL_CELL_MAX]
        if looks_like_formula(value):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # a string cell: never evaluated as a formula
            return cell
        return value
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def write_xlsx(rows: Iterable[LedgerRow], count: int) -> IO[bytes]:
    """The ledger's workbook in a temporary file, rewound, for streaming."""
    return write_table_xlsx(rows, count, title=SHEET_TITLE, headers=HEADERS,
                            widths=[c.width for c in COLUMNS], freeze="A2")


def write_table_xlsx(rows: Iterable[Iterable[Any]], count: int, *, title: str,
                     headers: Sequence[str], widths: Sequence[float], freeze: str,
                     wrap_header: bool = False) -> IO[bytes]:
    """One sheet with a bold, filtered header row (the matters' and the projects' ledgers),
    written to a temporary file and rewound for streaming; rows are not kept in memory."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for index, width in enumerate(widths):
        sheet.column_dimensions[column_letter(index)].width = width
    sheet.freeze_panes = freeze
    sheet.auto_filter.ref = f"A1:{column_letter(len(headers) - 1)}{count + 1}"
    bold = Font(bold=True)
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        cell.alignment = Alignment(horizontal="center", wrap_text=wrap_header)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    book.save(out)
    out.seek(0)
    return out


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return csv_guard(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def csv_chunks(rows: Iterable[LedgerRow]) -> Iterator[str]:
    """UTF-8 with a BOM (so Excel reads the Chinese right), CRLF line ends, in ~16 KB pieces."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
        if buffer.tell() >= CSV_FLUSH_BYTES:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
