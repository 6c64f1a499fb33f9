"""Language, time zone and display preferences: zh_CN first, English second."""
from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, request
from flask_babel import format_date, format_time, get_locale

from .base.calendar import local_day, today, zone_name
from .base.display import reference_markup, spaced_reference
from .base.phones import mask_phone

LANG_COOKIE = "lang"
ELDER_COOKIE = "elder"


def select_locale() -> str:
    wanted = request.cookies.get(LANG_COOKIE) if request else None
    if wanted in current_app.config["LANGUAGES"]:
        return wanted
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return zone_name()


def elder_mode() -> bool:
    return request.cookies.get(ELDER_COOKIE) == "1"


def machine_time(value: dt.date | dt.datetime | None) -> str:
    """For <time datetime>: ISO 8601 to the second, as HTML allows (no microseconds)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.replace(microsecond=0)
    return value.isoformat()


def when_text(moment: dt.datetime | None) -> str:
    """A moment for people: the local date and hour:minute, never seconds."""
    if moment is None:
        return ""
    return f"{format_date(moment, 'medium')} {format_time(moment, 'short')}"


def days_since(moment: dt.datetime) -> int:
    """Whole calendar days (Shanghai) from ``moment`` to today: 0 today, 1 yesterday."""
    return (today() - local_day(moment)).days


def init_app(app: Flask) -> None:
    app.jinja_env.filters["date"] = lambda d: format_date(d, "medium") if d else ""
    app.jinja_env.filters["datetime"] = when_text
    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.filters["reference"] = reference_markup  # grouped, read letter by letter
    app.jinja_env.filters["reference_text"] = spaced_reference  # for titles and attributes
    app.jinja_env.filters["iso"] = machine_time
    app.jinja_env.filters["days_since"] = days_since
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def display_prefs() -> dict:
        locale = str(get_locale())
        return {
            "elder_mode": elder_mode(),
            "current_language": "zh_CN" if locale.startswith("zh") else locale,
            "html_lang": "zh-CN" if locale.startswith("zh") else locale,
        }
