"""How days, times and references read to people (in the display zone, Asia/Shanghai)."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from flask_babel import format_date, format_time, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from .calendar import local, today


def _day_pattern(with_year: bool) -> str:
    """The locale's month-day-weekday pattern with the weekday written out in full
    (zh: 11月29日星期日, en: Sunday, November 29)."""
    skeleton = "yMMMMEd" if with_year else "MMMMEd"
    found = get_locale().datetime_skeletons.get(skeleton)
    if found is None:
        return "full"
    return re.sub(r"(?<!E)E(?!E)", "EEEE", found.pattern)


def day_label(day: dt.date, *, with_year: bool = False) -> str:
    """"Today, Sunday, November 29": the date in words, today and tomorrow named."""
    text = format_date(day, _day_pattern(with_year))
    current = today()
    if day == current:
        return _("Today, %(date)s", date=text)
    if day == current + dt.timedelta(days=1):
        return _("Tomorrow, %(date)s", date=text)
    return text


def time_range(start: dt.datetime | None, end: dt.datetime | None) -> str:
    if start is None:
        return ""
    if end is None:
        return format_time(start, "short")
    return _("%(start)s to %(end)s", start=format_time(start, "short"),
             end=format_time(end, "short"))


def when(start: dt.datetime | None, end: dt.datetime | None) -> str:
    """The whole appointment time in words, in the display zone."""
    if start is None:
        return ""
    return _("%(day)s, %(times)s", day=day_label(local(start).date(), with_year=True),
             times=time_range(start, end))


def service_name(service) -> str:
    """The English name on English pages when there is one, else the Chinese one."""
    if service.name_en and str(get_locale()).startswith("en"):
        return service.name_en
    return service.name


def spaced_reference(reference: str | None) -> str:
    """AB3D7KMN -> "AB3D 7KMN": easier to read out and copy."""
    reference = reference or ""
    return " ".join(reference[i:i + 4] for i in range(0, len(reference), 4))


def spoken_reference(reference: str | None) -> str:
    """One character at a time, for screen readers."""
    return " ".join(reference or "")


def reference_markup(reference: str | None) -> Markup:
    """The ``|reference`` filter: the grouped code for the eye (AB3D 7KMN) and the same code
    letter by letter for screen readers, as visually hidden text (an aria-label on a span,
    p or strong is ignored by screen readers)."""
    if not reference:
        return Markup("")
    return Markup('<span class="reference-code-text" data-reference="{}">'
                  '<span aria-hidden="true">{}</span><span class="visually-hidden">{}</span>'
                  '</span>').format(reference, spaced_reference(reference),
                                    spoken_reference(reference))


def normalise_reference(raw: str | None) -> str:
    """What a resident typed or said as a reference: any spacing, hyphens, case, and the
    full-width letters and digits of a Chinese input method (ＡＢ３Ｄ → AB3D). The one
    function every look-up of a typed reference calls."""
    text = unicodedata.normalize("NFKC", raw or "").upper()
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


def unit_name(unit) -> str:
    """The English name on English pages when there is one, else the Chinese one."""
    if unit is None:
        return ""
    if unit.name_en and str(get_locale()).startswith("en"):
        return unit.name_en
    return unit.name
