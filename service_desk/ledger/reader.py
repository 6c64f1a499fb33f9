"""Read a ledger spreadsheet (.xlsx or .csv) into plain row dicts; refuse unreadable files.

Nothing here touches the database: the rules that need it live in services.py.
"""
from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from .layout import (
    COLUMNS,
    HEADER_OF,
    KEY_OF,
    REQUIRED_KEYS,
    SHEET_TITLE,
    column_letter,
    csv_unguard,
)
from .xlsx_guard import MAX_SCANNED_ROWS, XlsxRefused, sheet_rows

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000  # data rows; the whole campaign list is 168
HEADER_SEARCH_ROWS = 10  # offices often put a title row or two above the headers
EXTENSIONS = ("xlsx", "csv")
# spreadsheets people save by habit: refused with how to turn them into .xlsx
OTHER_SPREADSHEETS = ("xls", "xlsm", "xlsb", "et", "ods", "numbers")
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # Chinese Excel saves "CSV" as GB18030
_SPACES = re.compile(r"\s+")


class LedgerFileError(ValueError):
    """The file as a whole cannot be read; nothing is imported."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status  # the HTTP status a page answers with


@dataclass
class ParsedLedger:
    """Data rows as dicts: "row" (the spreadsheet's row number) and one key per known column."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # key → column letter in the file


def extension_of(filename: str | None) -> str | None:
    ext = os.path.splitext(filename or "")[1].lower().lstrip(".")
    return ext if ext in EXTENSIONS else None


def check_type_and_size(filename: str | None, size: int) -> str:
    """The extension (xlsx or csv), or LedgerFileError for a wrong type or an oversized file."""
    ext = extension_of(filename)
    other = os.path.splitext(filename or "")[1].lower().lstrip(".")
    if ext is None and other in OTHER_SPREADSHEETS:
        raise LedgerFileError(_(
            "This is a .%(ext)s file, which cannot be imported. Open it in Excel, WPS or "
            "LibreOffice, choose Save As → “Excel workbook (.xlsx)”, and import that file.",
            ext=other), status=415)
    if ext is None:
        raise LedgerFileError(_("Only .xlsx and .csv files can be imported; this file is neither."),
                              status=415)
    if size > MAX_UPLOAD_BYTES:
        raise LedgerFileError(too_large_message(), status=413)
    if size == 0:
        raise LedgerFileError(_("The file is empty."))
    return ext


def too_large_message() -> str:
    return _("The file is larger than %(mb)d MB. Split it, or remove pictures and other sheets.",
             mb=MAX_UPLOAD_BYTES // (1024 * 1024))


def read_ledger(data: bytes, filename: str) -> ParsedLedger:
    """Parse the file; the extension decides the format and the content must match it."""
    ext = check_type_and_size(filename, len(data))
    table = _xlsx_rows(data) if ext == "xlsx" else _csv_rows(data)
    return _to_dicts(table)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, tuple]]:
    unreadable = _("This file is not a readable .xlsx workbook. Open it in Excel or WPS, "
                   "save it as “Excel workbook (.xlsx)” and try again.")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise LedgerFileError(unreadable)
    try:
        # every part is checked before openpyxl parses it, stopping at the first limit
        for number, values in enumerate(sheet_rows(data, SHEET_TITLE), start=1):
            if number > MAX_SCANNED_ROWS:
                raise LedgerFileError(_("The sheet has more than %(n)d rows.", n=MAX_SCANNED_ROWS))
            yield number, values
    except LedgerFileError:
        raise
    except XlsxRefused as exc:
        raise _refusal(exc, unreadable) from exc
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise LedgerFileError(unreadable) from exc


def _refusal(exc: XlsxRefused, unreadable: str) -> LedgerFileError:
    """The words for a limit of xlsx_guard."""
    if exc.reason == "unpacked":
        return LedgerFileError(_("The workbook is too large once unpacked."), status=413)
    if exc.reason == "rows":
        return LedgerFileError(_("The sheet has more than %(n)d rows.", n=exc.limit))
    if exc.reason == "cells":
        return LedgerFileError(_(
            "The sheet has more than %(n)d cells, counting empty but formatted ones. Delete "
            "the empty rows and columns around the table and try again.", n=exc.limit))
    if exc.reason == "columns":
        return LedgerFileError(_(
            "The sheet has a value in column %(column)s, too far to the right for a ledger. "
            "Delete the columns right of the table and try again.", column=exc.limit))
    if exc.reason == "strings":
        return LedgerFileError(_("The workbook has more than %(n)d different texts; import "
                                 "it in parts.", n=exc.limit), status=413)
    if exc.reason == "sheets":
        return LedgerFileError(_("The workbook has more than %(n)d sheets. Keep the ledger "
                                 "sheet and try again.", n=exc.limit))
    if exc.reason == "complex":
        return LedgerFileError(_(
            "This workbook is too complex to read safely. Copy the table into a new workbook "
            "(paste values only), save it as .xlsx and try again."))
    return LedgerFileError(unreadable)


def _csv_rows(data: bytes) -> Iterator[tuple[int, tuple]]:
    if b"\x00" in data:
        raise LedgerFileError(_("This .csv file is not plain text. Save it from Excel as "
                                "“CSV UTF-8 (comma delimited)” and try again."))
    text = None
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise LedgerFileError(_("This .csv file is neither UTF-8 nor GB18030 text. Save it from "
                                "Excel as “CSV UTF-8 (comma delimited)” and try again."))
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if number > MAX_SCANNED_ROWS:
                raise LedgerFileError(_("The sheet has more than %(n)d rows.", n=MAX_SCANNED_ROWS))
            yield number, tuple(values)
    except csv.Error as exc:
        raise LedgerFileError(_("This .csv file is malformed near line %(line)s.",
                                line=getattr(exc, "line_num", "?"))) from exc


def _header_name(value: Any) -> str:
    return _SPACES.sub("", str(value)) if value is not None else ""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _to_dicts(table: Iterable[tuple[int, tuple]]) -> ParsedLedger:
    rows = iter(table)
    positions: dict[str, int] | None = None
    first_seen: list[str] = []
    for number, values in rows:
        names = [_header_name(v) for v in values]
        if not first_seen and any(names):
            first_seen = [n for n in names if n]
        known = [n for n in names if n in KEY_OF]
        if len(known) >= 2:
            positions = _positions(names)
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if positions is None:
        raise LedgerFileError(_(
            "No header row found. The first row must name the columns: %(expected)s. "
            "Found: %(found)s.", expected="、".join(c.header for c in COLUMNS),
            found="、".join(first_seen[:12]) or _("nothing")))
    parsed = ParsedLedger(columns={key: column_letter(i) for key, i in positions.items()})
    for number, values in rows:
        record = {key: (values[i] if i < len(values) else None) for key, i in positions.items()}
        if all(_blank(v) for v in record.values()):
            continue
        if len(parsed.rows) >= MAX_ROWS:
            raise LedgerFileError(_("The file has more than %(n)d items; import it in parts.",
                                    n=MAX_ROWS), status=413)
        parsed.rows.append({"row": number, **{k: clean_cell(v) for k, v in record.items()}})
    return parsed


def _positions(names: list[str]) -> dict[str, int]:
    return header_positions(names, key_of=KEY_OF, header_of=HEADER_OF, required=REQUIRED_KEYS)


def header_positions(names: list[str], *, key_of: dict[str, str], header_of: dict[str, str],
                     required: Iterable[str]) -> dict[str, int]:
    """Where each known column stands in a header row (the matters' and the projects'
    sheets alike); a column twice or a required one missing refuses the file."""
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        key = key_of.get(name)
        if key is None:
            continue  # other columns (remarks, serial numbers) are ignored
        if key in positions:
            raise LedgerFileError(_("The column “%(name)s” appears twice in the header row.",
                                    name=name))
        positions[key] = index
    missing = [header_of[k] for k in required if k not in positions]
    if missing:
        raise LedgerFileError(_("The header row has no column “%(names)s”; it is required.",
                                names="”, “".join(missing)))
    return positions


def clean_cell(value: Any) -> Any:
    """Strings are trimmed and lose the export's anti-formula quote; other types stay."""
    if isinstance(value, str):
        return csv_unguard(value.strip())
    return value
