"""Language, time zone and display preferences: zh_CN first, English second."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request
from flask_babel import format_date, format_datetime, get_locale

LANG_COOKIE = "lang"
ELDER_COOKIE = "elder"


def select_locale() -> str:
    wanted = request.cookies.get(LANG_COOKIE) if request else None
    if wanted in current_app.config["LANGUAGES"]:
        return wanted
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]


def local(value: dt.datetime | None) -> dt.datetime | None:
    """An aware UTC datetime shown in the display zone (Asia/Shanghai)."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))


def today() -> dt.date:
    """Today in the display zone: deadlines are local dates."""
    return dt.datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def elder_mode() -> bool:
    return request.cookies.get(ELDER_COOKIE) == "1"


def mask_phone(phone: str | None) -> str:
    """138****1234: lists never show a resident's full number."""
    if not phone:
        return ""
    digits = phone[-11:] if len(phone) >= 11 else phone
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def init_app(app: Flask) -> None:
    app.jinja_env.filters["date"] = lambda d: format_date(d, "medium") if d else ""
    app.jinja_env.filters["datetime"] = lambda t: format_datetime(t, "medium") if t else ""
    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def display_prefs() -> dict:
        from .accounts.labels import ROLE_LABELS

        locale = str(get_locale())
        return {
            "role_label": lambda role: ROLE_LABELS.get(role, ""),
            "elder_mode": elder_mode(),
            "current_language": "zh_CN" if locale.startswith("zh") else locale,
            "html_lang": "zh-CN" if locale.startswith("zh") else locale,
        }
