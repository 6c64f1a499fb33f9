"""Finding a unit by what someone typed in a spreadsheet cell: its code or its name."""
from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from .models import Unit


class UnitLookup:
    """Units by code or by name, loaded once. ``error`` is the caller's exception for a cell
    it cannot read, so the refusal lands in the caller's own list of row errors."""

    def __init__(self, error: type[Exception] = ValueError) -> None:
        self.error = error
        self.by_code: dict[str, Unit] = {}
        self.by_name: dict[str, list[Unit]] = defaultdict(list)
        for unit in db.session.scalars(select(Unit)):
            self.by_code[unit.code] = unit
            self.by_name[unit.name.strip()].append(unit)

    def find(self, text: str) -> Unit:
        if text in self.by_code:
            return self.by_code[text]
        named = self.by_name.get(text, [])
        if len(named) == 1:
            return named[0]
        if named:
            raise self.error(_("Several units are called “%(name)s”: write the unit's code "
                               "instead.", name=text))
        raise self.error(_("Unknown unit “%(name)s”: write a unit's name or code as the system "
                           "knows it.", name=text))
