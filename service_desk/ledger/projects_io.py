"""The key-projects sheet (重点项目台账) as a file: written with openpyxl's write-only workbook,
read through xlsx_guard with the same limits and messages as the matters ledger.

The layout and the meaning of each cell are the projects domain's (projects/sheet.py); the
rules of the import are in projects/importing.py. Nothing here touches the database.
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from flask_babel import gettext as _

from ..projects.sheet import COLUMNS, HEADER_OF, HEADERS, KEY_OF, REQUIRED_KEYS, SHEET_TITLE
from .export import write_table_xlsx
from .layout import column_letter
from .reader import (
    HEADER_SEARCH_ROWS,
    MAX_ROWS,
    LedgerFileError,
    _refusal,
    check_type_and_size,
    clean_cell,
    header_positions,
)
from .xlsx_guard import MAX_SCANNED_ROWS, XlsxRefused, sheet_rows

_SPACES = re.compile(r"\s+")


@dataclass
class ParsedProjects:
    """Data rows as dicts: "row" (the sheet's row number) and one key per known column."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # key → column letter in the file


def write_projects_xlsx(rows: Iterable[list[Any]], count: int) -> IO[bytes]:
    """The projects' workbook in a temporary file, rewound, for streaming."""
    return write_table_xlsx(rows, count, title=SHEET_TITLE, headers=HEADERS,
                            widths=[c.width for c in COLUMNS], freeze="C2", wrap_header=True)


def read_projects(data: bytes, filename: str) -> ParsedProjects:
    """The sheet's data rows; LedgerFileError when the file as a whole cannot be read
    (wrong type, too large, a bomb, no header row)."""
    if check_type_and_size(filename, len(data)) != "xlsx":
        raise LedgerFileError(_("Only .xlsx workbooks can be imported as the project ledger."),
                              status=415)
    unreadable = _("This file is not a readable .xlsx workbook. Open it in Excel or WPS, "
                   "save it as “Excel workbook (.xlsx)” and try again.")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise LedgerFileError(unreadable)
    try:
        # every part is checked before openpyxl parses it, stopping at the first limit
        return _to_dicts(enumerate(sheet_rows(data, SHEET_TITLE), start=1))
    except LedgerFileError:
        raise
    except XlsxRefused as exc:
        raise _refusal(exc, unreadable) from exc
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise LedgerFileError(unreadable) from exc


def _header_name(value: Any) -> str:
    return _SPACES.sub("", str(value)).replace("(", "（").replace(")", "）") \
        if value is not None else ""


def _to_dicts(table: Iterable[tuple[int, tuple]]) -> ParsedProjects:
    rows = iter(table)
    positions: dict[str, int] | None = None
    for number, values in rows:
        names = [_header_name(v) for v in values]
        if sum(1 for n in names if n in KEY_OF) >= 2:
            positions = _positions(names)
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if positions is None:
        raise LedgerFileError(_("No header row found. The first row must name the columns, "
                                "at least %(expected)s.",
                                expected="、".join(HEADER_OF[k] for k in REQUIRED_KEYS)))
    parsed = ParsedProjects(columns={key: column_letter(i) for key, i in positions.items()})
    for number, values in rows:
        if number > MAX_SCANNED_ROWS:
            raise LedgerFileError(_("The sheet has more than %(n)d rows.", n=MAX_SCANNED_ROWS))
        record = {key: (values[i] if i < len(values) else None) for key, i in positions.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in record.values()):
            continue
        if len(parsed.rows) >= MAX_ROWS:
            raise LedgerFileError(_("The file has more than %(n)d items; import it in parts.",
                                    n=MAX_ROWS), status=413)
        parsed.rows.append({"row": number, **{k: clean_cell(v) for k, v in record.items()}})
    return parsed


def _positions(names: list[str]) -> dict[str, int]:
    return header_positions(names, key_of=KEY_OF, header_of=HEADER_OF, required=REQUIRED_KEYS)
