"""The offices' spreadsheet layout (工作台账), shared by the export and the import.

The headers and the status words are the file format the offices use, so they are fixed
Chinese text, not interface strings: a file exported in the English interface imports the same.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from ..exporting import FORMULA_START, spreadsheet_safe
from ..matters.models import MatterStatus

SHEET_TITLE = "工作台账"


class Column(NamedTuple):
    key: str  # field name in the parsed row dicts
    header: str  # the Chinese header in the file
    width: int  # column width in the exported sheet (characters)


COLUMNS: tuple[Column, ...] = (
    Column("number", "编号", 10),
    Column("title", "事项", 48),
    Column("key_issue", "重点问题", 30),
    Column("lead_unit", "牵头单位", 24),
    Column("co_units", "配合单位", 30),
    Column("responsible_person", "责任人", 12),
    Column("deadline", "完成时限", 13),
    Column("status", "状态", 10),
    Column("progress", "进度", 8),
    Column("latest_note", "最新进展", 60),
)
HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)
HEADER_OF: dict[str, str] = {c.key: c.header for c in COLUMNS}
KEY_OF: dict[str, str] = {c.header: c.key for c in COLUMNS}
# a file must have these; every other column may be left out (its values then stay as stored)
REQUIRED_KEYS = ("number", "title")

STATUS_WORDS: dict[MatterStatus, str] = {
    MatterStatus.NOT_STARTED: "未开始",
    MatterStatus.IN_PROGRESS: "推进中",
    MatterStatus.COMPLETED: "已完成",
}
STATUS_BY_WORD: dict[str, MatterStatus] = {
    **{word: status for status, word in STATUS_WORDS.items()},
    **{status.value: status for status in MatterStatus},
    "进行中": MatterStatus.IN_PROGRESS,
}
CO_UNIT_SEPARATORS = re.compile(r"[、,，;；\n]+")
CO_UNIT_JOINER = "、"

# the guard against formula injection lives in one place, shared with every CSV export
CSV_GUARD = "'"


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


def csv_guard(text: str) -> str:
    """Prefix a formula-looking text with ' so a spreadsheet shows it instead of running it."""
    return spreadsheet_safe(text)


def csv_unguard(text: str) -> str:
    """Undo csv_guard on import, so an exported file imports unchanged."""
    if text.startswith(CSV_GUARD) and looks_like_formula(text[1:]):
        return text[1:]
    return text


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
