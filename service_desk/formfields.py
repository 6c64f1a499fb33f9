"""Form fields shared by features."""
from __future__ import annotations

import datetime as dt
import re

from flask_babel import lazy_gettext as _l
from wtforms import StringField

DATE_MESSAGE = _l("Enter a date like 2021-12-31.")
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def parse_local_date(text: str | None) -> dt.date | None:
    """2021-12-31, 2021/12/31 or 2021年12月31日; None when it is not a real date."""
    match = _DATE.match(text or "")
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


class LocalDateField(StringField):
    """A date typed as text: works in every browser (WeChat's included) and says its format."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = parse_local_date(self.raw) if self.raw.strip() else None
        if self.raw.strip() and self.data is None:
            raise ValueError(str(DATE_MESSAGE))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if self.data else ""
