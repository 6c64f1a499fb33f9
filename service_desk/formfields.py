"""Form fields shared by features."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from flask_babel import LazyString, gettext
from wtforms import StringField

from .base.calendar import today


def date_example() -> str:
    """An example date in this year, in the zone (never a fixed year that ages)."""
    return f"{today().year}-12-31"


def _date_message() -> str:
    example = date_example()
    return gettext("Enter a date like %(example)s (or %(digits)s).", example=example,
                   digits=example.replace("-", ""))


def _date_hint() -> str:
    example = date_example()
    return gettext("A date like %(example)s; on a phone you may type %(digits)s.",
                   example=example, digits=example.replace("-", ""))


# read when shown, so the example is this year's and in the page's language
DATE_MESSAGE = LazyString(_date_message)
DATE_HINT = LazyString(_date_hint)

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$", re.ASCII)
_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$", re.ASCII)


def parse_local_date(text: str | None) -> dt.date | None:
    """2026-12-31, 20261231, 2026/12/31, 2026.12.31 or 2026年12月31日, full-width digits too;
    None when it is not a real date."""
    # NFKC turns full-width digits and punctuation (２０２６－１２) into ASCII
    cleaned = unicodedata.normalize("NFKC", text or "").strip()
    match = _DATE.match(cleaned) or _DIGITS.match(cleaned)
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


class LocalDateField(StringField):
    """A date: the browser's date input where it has one (it sends 2026-12-31); typed text
    where it has none (WeChat's older browsers), read in the common shapes above."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"type": "date", "autocomplete": "off"})
        kwargs.setdefault("description", DATE_HINT)
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = parse_local_date(self.raw) if self.raw.strip() else None
        if self.raw.strip() and self.data is None:
            raise ValueError(str(DATE_MESSAGE))

    def _value(self):
        # a date input shows only YYYY-MM-DD: a typed 20261231 is shown back in that shape
        if self.data:
            return self.data.isoformat()
        return self.raw_data[0] if self.raw_data else ""
