"""Crafted .xlsx files (zip bombs, entity expansion, lying or extreme structure) are refused
with a clear message, in well under a second and a few MB (outside audit, item 2).

Each bomb is built here by hand with zipfile: small on disk, huge or pathological once
unpacked. "Packed" bombs are plain deflate bombs (about 1,000:1); "dense" ones mix random text
in, so that they pack only ~5:1 and must be stopped by counting what is inside. Time and peak
memory are measured in a subprocess (ru_maxrss sees openpyxl's and expat's C allocations,
which tracemalloc does not).
"""
from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from service_desk.ledger import xlsx_guard
from service_desk.ledger.layout import COLUMNS, HEADERS
from service_desk.ledger.reader import MAX_ROWS, LedgerFileError, read_ledger

from ..factories import csrf_from, login

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEADER = ('<row r="1"><c r="A1" t="inlineStr"><is><t>编号</t></is></c>'
          '<c r="B1" t="inlineStr"><is><t>事项</t></is></c></row>'
          '<row r="2"><c r="A2" t="inlineStr"><is><t>S01</t></is></c>'
          '<c r="B2" t="inlineStr"><is><t>Fix the lights</t></is></c></row>')
MAX_SECONDS = 1.5  # a 2-core machine shared with other work; the bombs took 10-100+ s before
MAX_GROWTH = 100 * 1024 * 1024  # and 0.1-3 GB


# ---- building workbooks by hand --------------------------------------------------------------

def _packed(piece: str, times: int) -> Iterator[bytes]:
    """`piece` repeated: deflate packs it ~1,000:1."""
    block = piece.encode() * max(1, (1 << 20) // len(piece.encode()))
    per = block.count(piece.encode())
    for _ in range(times // per):
        yield block
    yield piece.encode() * (times % per)


def _dense(make, times: int) -> Iterator[bytes]:
    """make(random hex) repeated with fresh random text in each: packs only a few to one."""
    rnd = random.Random(times)
    for start in range(0, times, 4096):
        yield "".join(make(f"{rnd.getrandbits(32):08x}")
                      for _ in range(min(4096, times - start))).encode()


def _sheet(rows: Iterable[bytes] = (), *, dimension: str | None = None,
           prolog: str = "") -> Iterator[bytes]:
    yield (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}">'
           + (f'<dimension ref="{dimension}"/>' if dimension else "")
           + "<sheetData>" + HEADER).encode()
    yield from rows
    yield b"</sheetData></worksheet>"


def _xlsx(sheet: Iterable[bytes] | None = None, *, strings: Iterable[bytes] | None = None,
          styles: Iterable[bytes] | None = None, sheets: int = 1, extra: int = 0,
          compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A minimal workbook: sheet "工作台账" (`sheets` entries all pointing at it), optional
    shared strings and styles, and `extra` empty parts."""
    types = (f'<Types xmlns="{TYPES}"><Default Extension="rels" ContentType="application/'
             'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
             'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
             f'ContentType="{SHEET_TYPE}.sheet.main+xml"/>'
             + ('<Override PartName="/xl/sharedStrings.xml" '
                f'ContentType="{SHEET_TYPE}.sharedStrings+xml"/>' if strings is not None else "")
             + "</Types>")
    names = "".join(f'<sheet name="{"工作台账" if i == 0 else f"S{i}"}" sheetId="{i + 1}" '
                    f'r:id="rId{i + 1}"/>' for i in range(sheets))
    links = "".join(f'<Relationship Id="rId{i + 1}" Type="{RELS}/worksheet" '
                    'Target="worksheets/sheet1.xml"/>' for i in range(sheets))
    parts: dict[str, Iterable[bytes]] = {
        "xl/worksheets/sheet1.xml": sheet if sheet is not None else _sheet()}
    if strings is not None:
        parts["xl/sharedStrings.xml"] = strings
    if styles is not None:
        parts["xl/styles.xml"] = styles
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", f'<Relationships xmlns="{PACKAGE}"><Relationship '
                         f'Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
                         "</Relationships>")
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
                         f"<sheets>{names}</sheets></workbook>")
        archive.writestr("xl/_rels/workbook.xml.rels",
                         f'<Relationships xmlns="{PACKAGE}">{links}</Relationships>')
        for name, chunks in parts.items():
            with archive.open(name, "w", force_zip64=True) as fh:
                for chunk in chunks:
                    fh.write(chunk)
        for i in range(extra):
            archive.writestr(f"customXml/{i:05d}{'x' * 200}.xml", b"")
    return out.getvalue()


def _strings(body: Iterable[bytes]) -> Iterator[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode()
    yield from body
    yield b"</sst>"


def _styles(body: Iterable[bytes]) -> Iterator[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><cellXfs>'.encode()
    yield from body
    yield b"</cellXfs></styleSheet>"


def _nested(depth: int) -> Iterator[bytes]:
    yield b'<row r="3"><c r="C3" t="inlineStr"><is><t>'
    yield from _packed("<a>", depth)
    yield from _packed("</a>", depth)
    yield b"</t></is></c></row>"


LAUGHS = ('<!DOCTYPE worksheet [<!ENTITY l0 "lol">'
          + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)) + "]>")
UNPACKED = (413, "too large once unpacked")
UNREADABLE = (422, "not a readable .xlsx workbook")
COMPLEX = (422, "too complex to read safely")

# name → (builder, status, words of the message)
BOMBS = {
    # the audit's: one row of millions of cells, shared strings, formatted rows
    "packed-wide-row": (lambda: _xlsx(_sheet([b'<row r="3">', *_packed("<c><v>1</v></c>",
                                                                        1_000_000), b"</row>"])),
                        *UNPACKED),
    "packed-wide-row-with-refs": (lambda: _xlsx(_sheet(_packed(
        '<row><c r="B1"><v>1</v></c><c r="C1"><v>2</v></c></row>', 1_000_000))), *UNPACKED),
    "packed-shared-strings": (lambda: _xlsx(strings=_strings(_packed("<si><t>x</t></si>",
                                                                      2_000_000))), *UNPACKED),
    "packed-one-huge-string": (lambda: _xlsx(strings=_strings(
        [b"<si><t>", *_packed("a", 60_000_000), b"</t></si>"])), *UNPACKED),
    "formatted-empty-rows": (lambda: _xlsx(_sheet([
        "".join(f'<row r="{n}" s="1" customFormat="1"/>' for n in range(3, 200_000)).encode()])),
        422, "more than 50000 rows"),
    "packed-styles": (lambda: _xlsx(styles=_styles(_packed(
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>', 1_000_000))), *UNPACKED),
    "packed-deep-nesting": (lambda: _xlsx(_sheet(_nested(1_000_000))), *UNPACKED),
    "packed-huge-attribute": (lambda: _xlsx(_sheet(
        [b'<row r="3"><c r="C3" x="', *_packed("a", 20_000_000), b'"/></row>'])), *UNPACKED),
    # the same shapes packed only a few to one, so that the counts must stop them
    "dense-wide-row": (lambda: _xlsx(_sheet([b'<row r="3">', *_dense(
        lambda x: f"<c><v>{int(x, 16)}</v></c>", 100_000), b"</row>"])),
        422, "value in column CW"),
    "dense-many-cells": (lambda: _xlsx(_sheet(_dense(
        lambda x: "<row>" + f"<c><v>{int(x, 16)}</v></c>" * 40 + "</row>", 10_000))),
        422, "more than 100000 cells"),
    "dense-shared-strings": (lambda: _xlsx(strings=_strings(_dense(
        lambda x: f"<si><t>{x}</t></si>", 80_000))), 413, "more than 50000 different texts"),
    "dense-far-right-rows": (lambda: _xlsx(_sheet(_dense(
        lambda x: f'<row><c r="XFD1"><v>{int(x, 16)}</v></c></row>', 60_000))),
        422, "value in column XFD"),
    "dense-huge-attribute": (lambda: _xlsx(_sheet(
        [b'<row r="3"><c r="C3" x="', random.Random(3).randbytes(1_500_000).hex().encode(),
         b'"/></row>'])), *COMPLEX),
    "dense-styles": (lambda: _xlsx(styles=_styles(_dense(
        lambda x: f'<xf numFmtId="{int(x[:2], 16)}" fontId="0" applyNumberFormat="1"/>',
        30_000))), *COMPLEX),
    # entity expansion, deep nesting, structure
    "billion-laughs": (lambda: _xlsx(_sheet(
        [b'<row r="3"><c r="C3" t="inlineStr"><is><t>&l9;</t></is></c></row>'],
        prolog=LAUGHS)), *UNREADABLE),
    "external-entity": (lambda: _xlsx(_sheet(
        [b'<row r="3"><c r="C3" t="inlineStr"><is><t>&e;</t></is></c></row>'],
        prolog='<!DOCTYPE worksheet [<!ENTITY e SYSTEM "file:///etc/passwd">]>')),
        *UNREADABLE),
    "nested-100-deep": (lambda: _xlsx(_sheet(_nested(100))), *COMPLEX),
    "many-sheets": (lambda: _xlsx(_sheet(_packed('<row><c r="C1"><v>1</v></c></row>', 20_000)),
                                  sheets=2000), 422, "more than 250 sheets"),
    "many-zip-entries": (lambda: _xlsx(extra=4_500), *COMPLEX),
    "bzip2-parts": (lambda: _xlsx(compression=zipfile.ZIP_BZIP2), *UNREADABLE),
}


@pytest.fixture(scope="module")
def bomb_files(tmp_path_factory) -> dict[str, Path]:
    """Every bomb written once to disk, plus the control workbook as "control"."""
    folder = tmp_path_factory.mktemp("bombs")
    files = {"control": folder / "control.xlsx"}
    files["control"].write_bytes(_xlsx())
    for name, (build, *_expected) in BOMBS.items():
        files[name] = folder / f"{name}.xlsx"
        files[name].write_bytes(build())
        assert files[name].stat().st_size < 5 * 1024 * 1024, name  # within the upload limit
    return files


# reads each file with read_ledger; peak memory is the process's high-water mark, so each
# bomb's "grown" also covers those read before it
_PROBE = """
import gc, json, resource, sys, time
from service_desk.ledger.reader import LedgerFileError, read_ledger

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
control, *bombs = sys.argv[1:]
read_ledger(open(control, "rb").read(), "control.xlsx")  # imports and warms openpyxl
base, found = peak(), {}
for path in bombs:
    data = open(path, "rb").read()
    gc.collect()
    start = time.perf_counter()
    try:
        read_ledger(data, "bomb.xlsx")
        status, message = 200, ""
    except LedgerFileError as exc:
        status, message = exc.status, exc.message
    found[path] = {"seconds": time.perf_counter() - start, "grown": peak() - base,
                   "status": status, "message": message}
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def costs(bomb_files) -> dict[str, dict]:
    paths = [str(bomb_files["control"])] + [str(bomb_files[name]) for name in BOMBS]
    done = subprocess.run([sys.executable, "-c", _PROBE, *paths], check=False, capture_output=True,
                          text=True, timeout=300, cwd=Path(__file__).resolve().parents[2],
                          env={**os.environ, "PYTHONHASHSEED": "0"})
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return {name: found[str(bomb_files[name])] for name in BOMBS}


@pytest.fixture
def supervisor(app, client, seeded, make_user):
    make_user("supervisor", username="sup")
    login(client, "sup")
    client.set_cookie("lang", "en")  # messages are asserted in English
    return client


@pytest.fixture(autouse=True)
def _no_pending_uploads(app):
    import shutil

    yield
    shutil.rmtree(os.path.join(app.instance_path, "imports"), ignore_errors=True)


# ---- the tests ---------------------------------------------------------------------------------

def test_the_hand_built_workbook_imports(app, bomb_files):
    """The bombs are this workbook plus one excess: without it, the file reads."""
    with app.test_request_context():
        parsed = read_ledger(bomb_files["control"].read_bytes(), "control.xlsx")
    assert [(r["row"], r["number"], r["title"]) for r in parsed.rows] == [
        (2, "S01", "Fix the lights")]


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_bomb_is_refused_fast_and_small(costs, name):
    _build, status, words = BOMBS[name]
    cost = costs[name]
    assert (cost["status"], words in cost["message"]) == (status, True), cost
    assert cost["seconds"] < MAX_SECONDS, cost
    assert cost["grown"] < MAX_GROWTH, cost


@pytest.mark.parametrize("name", ["packed-wide-row", "formatted-empty-rows", "billion-laughs"])
def test_the_import_page_answers_a_bomb_with_the_message(app, supervisor, bomb_files, name):
    _build, status, words = BOMBS[name]
    page = supervisor.get("/matters/import").get_data(as_text=True)
    start = time.perf_counter()
    response = supervisor.post("/matters/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page),
        "file": (io.BytesIO(bomb_files[name].read_bytes()), "ledger.xlsx")})
    seconds = time.perf_counter() - start
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert words in html and "Nothing was imported" in html
    assert seconds < MAX_SECONDS
    assert not os.path.isdir(os.path.join(app.instance_path, "imports")) or not os.listdir(
        os.path.join(app.instance_path, "imports"))


def _read(app, data: bytes):
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        return read_ledger(data, "ledger.xlsx")


def test_a_lying_dimension_neither_widens_nor_narrows_what_is_read(app):
    big = _xlsx(_sheet(dimension="A1:XFD1048576"))
    third = (b'<row r="3"><c r="A3"><v>7</v></c><c r="B3" t="inlineStr"><is><t>Third</t>'
             b"</is></c></row>")
    small = _xlsx(_sheet([third], dimension="A1:A1"))
    start = time.perf_counter()
    assert [r["number"] for r in _read(app, big).rows] == ["S01"]
    assert time.perf_counter() - start < MAX_SECONDS
    assert [(r["number"], r["title"]) for r in _read(app, small).rows] == [
        ("S01", "Fix the lights"), (7, "Third")]


def test_empty_formatted_cells_far_right_and_rows_far_down_are_ignored(app):
    data = _xlsx(_sheet([b'<row r="2"><c r="XFD2" s="1"/></row>',
                         b'<row r="1048576" s="1" customFormat="1"><c r="A1048576" s="1"/></row>']))
    assert [r["number"] for r in _read(app, data).rows] == ["S01"]


def test_a_value_just_inside_the_limits_is_read(app):
    """Column CV (100) and row 50,000 are the last ones a value may be in."""
    wide = (b'<row r="3"><c r="A3" t="inlineStr"><is><t>S03</t></is></c><c r="B3" '
            b't="inlineStr"><is><t>Wide</t></is></c><c r="{column}3"><v>1</v></c></row>')
    low = (b'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>S04</t></is></c><c r="B{row}" '
           b't="inlineStr"><is><t>Low</t></is></c></row>')
    data = _xlsx(_sheet([wide.replace(b"{column}", b"CV"), low.replace(b"{row}", b"50000")]))
    assert [(r["row"], r["number"]) for r in _read(app, data).rows] == [
        (2, "S01"), (3, "S03"), (50000, "S04")]
    with pytest.raises(LedgerFileError, match="value in column CW"):
        _read(app, _xlsx(_sheet([wide.replace(b"{column}", b"CW")])))
    with pytest.raises(LedgerFileError, match="more than 50000 rows"):
        _read(app, _xlsx(_sheet([low.replace(b"{row}", b"50001")])))


def test_the_limits_leave_room_for_the_largest_ledger_the_import_takes():
    """5,000 items (the import's own limit) of 10 columns, every text different."""
    assert xlsx_guard.MAX_CELLS >= 2 * MAX_ROWS * len(COLUMNS)
    assert xlsx_guard.MAX_SHARED_STRINGS >= MAX_ROWS * len(COLUMNS)
    assert xlsx_guard.MAX_COLUMNS >= 10 * len(COLUMNS)


def test_a_ledger_written_by_openpyxl_is_within_every_limit(app):
    """A real writer's file, a different text in each cell, reads whole."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("工作台账")
    sheet.append(list(HEADERS))
    for i in range(1000):
        sheet.append([f"S{i:04d}", f"事项 {i}", f"重点 {i}", "区住建局", f"区财政局、单位{i}",
                      f"张{i}", None, "推进中", 50, f"第 {i} 项的最新进展"])
    out = io.BytesIO()
    book.save(out)
    start = time.perf_counter()
    rows = _read(app, out.getvalue()).rows
    assert len(rows) == 1000 and rows[-1]["latest_note"] == "第 999 项的最新进展"
    assert time.perf_counter() - start < 5
