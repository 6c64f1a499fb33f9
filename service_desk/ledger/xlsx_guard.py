"""Read one sheet of an untrusted .xlsx with bounded work, however the file was crafted.

An .xlsx is a zip of XML parts, and a few hundred KB can unpack to gigabytes of cells, shared
strings or formatted rows ("zip bombs"). openpyxl reads what it is given: the whole string
table and stylesheet at load, a sheet without a <dimension> in full just to size it, and every
cell of a row before dropping the ones past max_col. So each part is checked here with a
cheap streaming scan (expat, no tree) *before* openpyxl parses it, and the scan stops at the
first limit. Only the parts the import needs are opened: content types, shared strings, the
workbook and its relationships, the stylesheet (for dates) and the one sheet that is read.
"""
from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from xml.parsers import expat

# what a ledger can legitimately need: 5,000 items of ~10 columns, with room to spare
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # declared size of all the parts together
MAX_SCANNED_ROWS = 50_000  # <row> elements, blank but formatted ones too
MAX_COLUMNS = 100  # a value further right is refused (the ledger has 10 columns)
MAX_CELLS = 100_000  # <c> elements in the sheet, empty but formatted ones too
MAX_SHARED_STRINGS = 50_000  # distinct texts of the workbook
MAX_SHEETS = 250
MAX_DIRECTORY_BYTES = 1024 * 1024  # the zip's list of parts: ~10,000 of them
MAX_DEPTH = 64  # OOXML nests about 10 deep
# one tag, comment or attribute: expat rescans an unfinished token at every chunk, so a
# long one costs quadratic time in openpyxl's streaming reader
MAX_TOKEN_BYTES = 64 * 1024
MAX_RATIO = 100  # unpacked/packed; real parts are ~15, deflate bombs ~1,000
RATIO_GRACE_BYTES = 1024 * 1024  # small parts may compress better
CHUNK = 64 * 1024

SHEET_BYTES = STRINGS_BYTES = 32 * 1024 * 1024
# elements per part: openpyxl spends ~10-20 µs on each, so these bound an accepted file's
# cost to about that of the largest real ledger (5,000 items); the scan itself ~2 µs each
SHEET_ELEMENTS = 250_000  # cells with inline or rich text have a few children each
SHEET_OTHER_ELEMENTS = 20_000  # merged cells, conditional formats, validations, ...
STRINGS_ELEMENTS = 150_000  # <si><t>, rich text runs
META_BYTES = 4 * 1024 * 1024  # content types, workbook, relationships, styles
META_ELEMENTS = 20_000

_VALUES = frozenset(("v", "is"))  # a cell's children that make it hold a value
_COORDINATE = re.compile(r"\$?([A-Za-z]{1,3})\$?\d+")  # as openpyxl's coordinate_from_string


class XlsxRefused(Exception):
    """The workbook breaks a limit. `reason` names it: unreadable, unpacked, rows, cells,
    columns, strings, sheets or complex; `limit` is the number (or column) it broke."""

    def __init__(self, reason: str, limit: int | str = 0) -> None:
        super().__init__(reason, limit)
        self.reason = reason
        self.limit = limit


@dataclass
class SheetExtent:
    """Where the sheet's values are: the last row and column holding one (0 when none)."""

    rows: int = 0
    columns: int = 0


def sheet_rows(data: bytes, title: str) -> Iterator[tuple]:
    """The value rows of the sheet called `title` (else the first worksheet), from row 1 to
    the last row with a value, each as wide as the widest row. Raises XlsxRefused; openpyxl
    may still raise on a damaged file that is within the limits."""
    from openpyxl.packaging.relationship import get_rels_path
    from openpyxl.reader.excel import ExcelReader, _find_workbook_part
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_STYLE, SHARED_STRINGS

    _check_directory(data)
    # data_only: a formula cell gives the value Excel last showed, never the formula;
    # keep_links=False: external links hold cached copies of other workbooks; never read them
    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    archive = reader.archive
    try:
        _check_members(archive)
        names = set(archive.namelist())
        scan_part(archive, ARC_CONTENT_TYPES, _Scan())
        reader.read_manifest()
        strings = reader.package.find(SHARED_STRINGS)
        if strings is not None:
            scan_part(archive, strings.PartName[1:], _StringsScan())
        reader.read_strings()
        book_part = _find_workbook_part(reader.package).PartName[1:]
        scan_part(archive, book_part, _Scan())
        rels = get_rels_path(book_part)
        if rels in names:
            scan_part(archive, rels, _Scan())
        reader.read_workbook()
        if ARC_STYLE in names:
            scan_part(archive, ARC_STYLE, _Scan())
            apply_stylesheet(archive, reader.wb)  # which number formats are dates
        # the other sheets, charts and properties are never opened
        sheets = [(sheet.name, rel.target) for sheet, rel in reader.parser.find_sheets()
                  if rel.target in names and "chartsheet" not in rel.Type]
        if not sheets:
            raise XlsxRefused("unreadable")
        name, path = next((s for s in sheets if s[0] == title), sheets[0])
        scan = _SheetScan()
        scan_part(archive, path, scan)
        if not scan.extent.rows:
            return
        sheet = ReadOnlyWorksheet(reader.wb, name, path, reader.shared_strings)
        # the scan's extent, never the file's own <dimension>, which may lie
        yield from sheet.iter_rows(min_row=1, max_row=scan.extent.rows,
                                   max_col=scan.extent.columns, values_only=True)
    finally:
        archive.close()


def _check_directory(data: bytes) -> None:
    """zipfile reads the whole central directory on opening: bound it before that. Its size
    is in the end record, found the way zipfile finds it (the last one, within 64 KB of the
    end); a zip64 record, which no 5 MB workbook needs, could state another size."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0:
        raise XlsxRefused("unreadable")
    directory = int.from_bytes(data[end + 12:end + 16], "little")
    if directory > MAX_DIRECTORY_BYTES or data[max(0, end - 20):end - 16] == b"PK\x06\x07":
        raise XlsxRefused("complex", MAX_DIRECTORY_BYTES)


def _check_members(archive: zipfile.ZipFile) -> None:
    """Declared sizes first: cheap, and enough to turn most bombs away unopened."""
    if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
        raise XlsxRefused("unpacked", MAX_UNPACKED_BYTES)


class _Scan:
    """What one part may hold; handlers() gives expat's callbacks that count it. The
    callbacks are closures over plain ints: they run for every element, so they stay lean."""

    max_bytes = META_BYTES

    def handlers(self) -> tuple[Callable, Callable]:
        """Content types, the workbook, relationships, the stylesheet: parsed whole by
        openpyxl, so they stay small; the workbook's <sheet> entries are counted."""
        depth = elements = sheets = 0

        def start(name: str, attrs: dict) -> None:
            nonlocal depth, elements, sheets
            depth += 1
            elements += 1
            if elements > META_ELEMENTS or depth > MAX_DEPTH:
                raise XlsxRefused("complex", META_ELEMENTS)
            if depth == 3 and _is(name, "sheet"):  # workbook/sheets/sheet
                sheets += 1
                if sheets > MAX_SHEETS:
                    raise XlsxRefused("sheets", MAX_SHEETS)

        def end(name: str) -> None:
            nonlocal depth
            depth -= 1

        return start, end


class _StringsScan(_Scan):
    """openpyxl keeps every <si> of the shared-string table in memory, wherever it is."""

    max_bytes = STRINGS_BYTES

    def handlers(self) -> tuple[Callable, Callable]:
        depth = elements = strings = 0

        def start(name: str, attrs: dict) -> None:
            nonlocal depth, elements, strings
            depth += 1
            elements += 1
            if elements > STRINGS_ELEMENTS or depth > MAX_DEPTH:
                raise XlsxRefused("complex", STRINGS_ELEMENTS)
            if _is(name, "si"):
                strings += 1
                if strings > MAX_SHARED_STRINGS:
                    raise XlsxRefused("strings", MAX_SHARED_STRINGS)

        def end(name: str) -> None:
            nonlocal depth
            depth -= 1

        return start, end


class _SheetScan(_Scan):
    """Rows and cells the way openpyxl's WorkSheetParser numbers them: a <row> anywhere is a
    row (r= or the previous one + 1), each child of a row is a cell (r= or the previous
    column + 1), and a cell has a value when it has a <v> or <is> child. `extent` ends as
    the last row and column holding a value."""

    max_bytes = SHEET_BYTES

    def __init__(self) -> None:
        self.extent = SheetExtent()

    def handlers(self) -> tuple[Callable, Callable]:
        extent = self.extent
        depth = elements = rows = cells = other = 0
        row_depth = 0  # depth of the open <row>, 0 outside one
        row = column = 0

        def start(name: str, attrs: dict) -> None:
            nonlocal depth, elements, rows, cells, other, row_depth, row, column
            depth += 1
            elements += 1
            if elements > SHEET_ELEMENTS or depth > MAX_DEPTH:
                raise XlsxRefused("complex", SHEET_ELEMENTS)
            if row_depth:
                below = depth - row_depth
                if below == 1:
                    if name == "row" or name.endswith(":row"):
                        raise XlsxRefused("unreadable")  # openpyxl numbers nested rows oddly
                    cells += 1
                    if cells > MAX_CELLS:
                        raise XlsxRefused("cells", MAX_CELLS)
                    ref = attrs.get("r")
                    column = column + 1 if ref is None else _column_number(ref)
                elif below == 2 and (name in _VALUES or name.rpartition(":")[2] in _VALUES):
                    if column > MAX_COLUMNS:
                        from openpyxl.utils import get_column_letter

                        raise XlsxRefused("columns", get_column_letter(column))
                    if row > MAX_SCANNED_ROWS:
                        raise XlsxRefused("rows", MAX_SCANNED_ROWS)
                    if row > 0:  # openpyxl skips rows numbered 0 or below
                        # comparisons, not max(): this runs for every value
                        if row > extent.rows:  # noqa: PLR1730
                            extent.rows = row
                        if column > extent.columns:  # noqa: PLR1730
                            extent.columns = column
            elif _is(name, "row"):
                rows += 1
                if rows > MAX_SCANNED_ROWS:
                    raise XlsxRefused("rows", MAX_SCANNED_ROWS)
                ref = attrs.get("r")
                row_depth, row, column = depth, row + 1 if ref is None else _row_number(ref), 0
            else:
                other += 1
                if other > SHEET_OTHER_ELEMENTS:
                    raise XlsxRefused("complex", SHEET_OTHER_ELEMENTS)

        def end(name: str) -> None:
            nonlocal depth, row_depth
            if depth == row_depth:
                row_depth = 0
            depth -= 1

        return start, end


def _is(name: str, local: str) -> bool:
    """expat runs without namespaces here: match the local name, whatever the prefix."""
    return name == local or name.endswith(":" + local)


def _row_number(ref: str) -> int:
    try:  # openpyxl accepts "7" and "7.0"
        number = float(ref)
        if not number.is_integer():
            raise ValueError
        return int(number)
    except (ValueError, OverflowError):
        raise XlsxRefused("unreadable") from None


def _column_number(ref: str) -> int:
    match = _COORDINATE.fullmatch(ref)
    if match is None:
        raise XlsxRefused("unreadable")
    number = 0
    for letter in match.group(1).upper():
        number = number * 26 + ord(letter) - 64
    return number


def _refuse_dtd(*_args) -> None:
    # OOXML never has a DTD; one can only be there for entity expansion ("billion laughs")
    raise XlsxRefused("unreadable")


def scan_part(archive: zipfile.ZipFile, name: str, scan: _Scan) -> None:
    """Stream one part through expat, never holding more than a chunk, and stop at the first
    limit: its size (declared and actual), its packing ratio, a token's length, a DTD, and
    whatever `scan` counts."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise XlsxRefused("unreadable") from None
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise XlsxRefused("unreadable")  # Excel only deflates; bzip2/LZMA inflate unbounded
    packed = max(info.compress_size, 1)
    if info.file_size > scan.max_bytes or (
            info.file_size > RATIO_GRACE_BYTES and info.file_size > MAX_RATIO * packed):
        raise XlsxRefused("unpacked", MAX_UNPACKED_BYTES)
    parser = expat.ParserCreate()
    parser.StartElementHandler, parser.EndElementHandler = scan.handlers()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    unpacked = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                unpacked += len(chunk)
                # the declared size is not trusted: count what really comes out
                if unpacked > scan.max_bytes or (
                        unpacked > RATIO_GRACE_BYTES and unpacked > MAX_RATIO * packed):
                    raise XlsxRefused("unpacked", MAX_UNPACKED_BYTES)
                parser.Parse(chunk, False)
                if unpacked - parser.CurrentByteIndex > MAX_TOKEN_BYTES:
                    raise XlsxRefused("complex", MAX_TOKEN_BYTES)  # an unfinished giant token
            parser.Parse(b"", True)
    except expat.ExpatError:
        raise XlsxRefused("unreadable") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError):
        raise XlsxRefused("unreadable") from None  # corrupt, encrypted or unsupported packing
