"""Typing the cells of one ledger row: text, dates, progress, status, units.

Each bad cell becomes a RowError naming the row, the column header and the reason.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from ..matters.models import MatterStatus
from ..units.lookup import UnitLookup
from ..units.models import Unit
from .layout import CO_UNIT_SEPARATORS, HEADER_OF, STATUS_BY_WORD

MAX_LENGTH = {"number": 32, "title": 300, "key_issue": 300, "responsible_person": 100,
              "latest_note": 4000}
_DATE_PATTERNS = (
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]0{1,2}:00(?::00)?)?"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
)


@dataclass(frozen=True)
class RowError:
    """One bad cell: the spreadsheet row number, the column header, and why."""

    row: int
    column: str
    reason: str


@dataclass
class Row:
    """A row's values, typed; None means "the cell is empty: keep what is stored"."""

    row: int
    number: str
    title: str
    key_issue: str | None = None
    lead_unit: Unit | None = None
    co_units: list[Unit] | None = None
    responsible_person: str | None = None
    deadline: dt.date | None = None
    status: MatterStatus | None = None
    progress: int | None = None
    latest_note: str | None = None


class _Bad(ValueError):
    """A cell's value is refused; the message says why."""


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = text_of(value)
    if not text:
        return None
    if isinstance(value, str):
        for pattern in _DATE_PATTERNS:
            match = pattern.fullmatch(text)
            if match:
                try:
                    return dt.date(*(int(g) for g in match.groups()))
                except ValueError:
                    break
    raise _Bad(_("“%(value)s” is not a date. Write it as 2024-06-30, 2024/6/30 or 2024年6月30日 "
                 "(in Excel, a date cell).", value=text))


def _progress(value: Any) -> int | None:
    text = text_of(value)
    if not text:
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\d{1,3}\s*[%％]?", text):
        number = int(re.sub(r"\D", "", text))
    if number is None or not 0 <= number <= 100:
        raise _Bad(_("Progress must be a whole number from 0 to 100, not “%(value)s”.",
                     value=text))
    return number


def _status(value: Any) -> MatterStatus | None:
    text = text_of(value)
    if not text:
        return None
    status = STATUS_BY_WORD.get(text) or STATUS_BY_WORD.get(text.lower())
    if status is None:
        raise _Bad(_("Unknown status “%(value)s”: write 未开始, 推进中 or 已完成.", value=text))
    return status


class Units(UnitLookup):
    """Units by code or by Chinese name, loaded once; a cell may name several."""

    def __init__(self) -> None:
        super().__init__(error=_Bad)

    def find_many(self, text: str) -> list[Unit]:
        found: list[Unit] = []
        unknown: list[str] = []
        for part in CO_UNIT_SEPARATORS.split(text):
            part = part.strip()
            if not part:
                continue
            try:
                unit = self.find(part)
            except _Bad:
                unknown.append(part)
                continue
            if unit not in found:
                found.append(unit)
        if unknown:
            raise _Bad(_("Unknown unit “%(name)s”: write a unit's name or code as the system "
                         "knows it.", name="”, “".join(unknown)))
        return found


def clean_row(raw: dict[str, Any], units: Units, errors: list[RowError]) -> Row | None:
    """Type every cell of a row, recording each bad one; None when any is bad."""
    number = raw["row"]
    before = len(errors)

    def bad(key: str, reason: str) -> None:
        errors.append(RowError(number, HEADER_OF[key], reason))

    def cell(key: str, parse):
        try:
            return parse(raw.get(key))
        except _Bad as exc:
            bad(key, str(exc))
            return None

    texts = {key: text_of(raw.get(key)) for key in MAX_LENGTH}
    for key, limit in MAX_LENGTH.items():
        if len(texts[key]) > limit:
            bad(key, _("Too long: at most %(n)d characters.", n=limit))
    if not texts["number"]:
        bad("number", _("Missing number: every row needs its 编号."))
    if not texts["title"]:
        bad("title", _("Missing title: every row needs its 事项."))
    lead_text, co_text = text_of(raw.get("lead_unit")), text_of(raw.get("co_units"))
    row = Row(
        row=number, number=texts["number"], title=texts["title"],
        key_issue=texts["key_issue"] or None,
        lead_unit=cell("lead_unit", lambda _v: units.find(lead_text)) if lead_text else None,
        co_units=cell("co_units", lambda _v: units.find_many(co_text)) if co_text else None,
        responsible_person=texts["responsible_person"] or None,
        deadline=cell("deadline", _date), status=cell("status", _status),
        progress=cell("progress", _progress), latest_note=texts["latest_note"] or None,
    )
    if row.co_units is not None and row.lead_unit is not None:
        row.co_units = [u for u in row.co_units if u is not row.lead_unit]
    return row if len(errors) == before else None
