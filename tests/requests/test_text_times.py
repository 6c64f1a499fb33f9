"""A text's time is formatted once per time, locale and zone (issue 13), and still in the
zone and locale in force."""
from __future__ import annotations

import datetime as dt

from flask_babel import force_locale

from service_desk.requests import texts
from service_desk.requests.models import ServiceRequest

START = dt.datetime(2026, 12, 9, 1, 30, tzinfo=dt.UTC)  # 09:30 in Shanghai


def _text_time(app, zone: str, locale: str = "zh_CN") -> str:
    old = app.config["TIMEZONE"]
    app.config["TIMEZONE"] = zone
    try:
        with app.test_request_context("/"), force_locale(locale):
            return texts._when(ServiceRequest(starts_at=START))
    finally:
        app.config["TIMEZONE"] = old


def test_the_time_is_in_the_zone_and_locale_in_force(app):
    shanghai = _text_time(app, "Asia/Shanghai")
    assert "9:30" in shanghai and "12月9日" in shanghai
    assert "1:30" in _text_time(app, "UTC")  # not the Shanghai answer kept for the same time
    assert "Dec" in _text_time(app, "Asia/Shanghai", "en")
    assert _text_time(app, "Asia/Shanghai") == shanghai


def test_a_time_is_formatted_once(app):
    texts._formatted.cache_clear()
    for _ in range(3):
        _text_time(app, "Asia/Shanghai")
    info = texts._formatted.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_no_time_no_text_time(app):
    with app.test_request_context("/"), force_locale("zh_CN"):
        assert texts._when(ServiceRequest(starts_at=None)) == ""
