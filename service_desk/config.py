"""Configuration: defaults, then instance/config.py, then SERVICE_DESK_* variables."""
from __future__ import annotations

import json
import os
from typing import Any

from flask import Flask

ENV_PREFIX = "SERVICE_DESK_"


class ConfigError(RuntimeError):
    """The configuration cannot run the app."""


def defaults(app: Flask) -> dict[str, Any]:
    return {
        "ENV_NAME": "development",
        "SECRET_KEY": None,
        "DATABASE_URL": "sqlite:///" + os.path.join(app.instance_path, "service_desk.sqlite3"),
        "TIMEZONE": "Asia/Shanghai",
        "RATELIMIT_STORAGE_URI": "memory://",
        # Redis down: count in this process instead and keep serving (/readyz says degraded);
        # short timeouts so a dead Redis costs a request a fraction of a second, not a hang
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.3},
        # a sliding window: no burst allowed across a window boundary
        "RATELIMIT_STRATEGY": "moving-window",
        "SMTP_URL": None,
        # the From address of notification mail (service-desk notify)
        "NOTIFY_FROM": "service-desk@localhost",
        # texts to residents (service-desk notify): "gateway" (SMS_URL) or "aliyun"; unset:
        # whichever of SMS_URL and ALIYUN_ACCESS_KEY_ID is set, else texts wait in the outbox
        "SMS_BACKEND": None,
        "SMS_URL": None,
        "SMS_SECRET": None,  # the HMAC-SHA256 key of the gateway's X-Signature header
        "SMS_TIMEOUT": 10,  # seconds, for each call to the gateway or Alibaba Cloud
        "SMS_MAX_TRIES": 5,
        "SMS_BACKOFF_SECONDS": [60, 300, 1800, 7200],  # wait after the 1st, 2nd, … failed try
        "SMS_MAX_PER_PHONE_PER_DAY": 10,  # more texts that (local) day fail: no flooding a phone
        "SMS_QUIET_HOURS": "21:00-08:00",  # local; "" for none; urgent texts still go
        "SMS_URGENT_MINUTES": 30,  # how long an urgent text may still go out in quiet hours
        "ALIYUN_ACCESS_KEY_ID": None,
        "ALIYUN_ACCESS_KEY_SECRET": None,
        "ALIYUN_SMS_SIGN_NAME": None,
        "ALIYUN_SMS_TEMPLATES": {},  # {"<kind>": "SMS_…"}: one approved template per kind
        "ALIYUN_SMS_ENDPOINT": "dysmsapi.aliyuncs.com",
        "ALIYUN_SMS_PROTOCOL": "HTTPS",
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ["zh_CN", "en"],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        # behind a TLS proxy: trust one hop of X-Forwarded-* and mark cookies Secure
        "BEHIND_PROXY": False,
        # failed sign-ins: a client is slowed down after 5 in 15 minutes; an account locks
        # after 20 (which takes several clients), for LOGIN_LOCK_MINUTES
        "LOGIN_FAILURE_RATE_LIMIT": "5 per 15 minutes",
        "LOGIN_MAX_FAILURES": 20,
        "LOGIN_LOCK_MINUTES": 15,
        "LOGIN_RATE_LIMIT": "20 per minute",
        # werkzeug's scrypt (n=2**15, r=8, p=1): about 0.1 s a check, on purpose
        "PASSWORD_HASH_METHOD": "scrypt",
        # residents' lookups by reference + phone: enough for a person, too few to guess
        "LOOKUP_RATE_LIMIT": "10 per minute",
        # public API calls per client address: reads (slots, figures) and writes (book, report, rate)
        "API_READ_RATE_LIMIT": "120 per minute",
        "API_WRITE_RATE_LIMIT": "10 per minute",
        # JSON bodies of the API (the app-wide MAX_CONTENT_LENGTH is for attachments)
        "API_MAX_BODY_BYTES": 64 * 1024,
        "PAGE_SIZE": 50,
        # a pooled database connection idle longer than this is checked before use (db.py)
        "DB_PING_IDLE_SECONDS": 10,
        # the public board's zone-wide figures are recomputed at most this often per process
        # (board/fresh.py): a change shows within it; 0 recomputes on every view
        "BOARD_CACHE_SECONDS": 1.0,
        "DUE_SOON_DAYS": 7,
        # working days a unit has to rectify a bad rating (差评整改), on China's calendar
        "RECTIFICATION_DAYS": 5,
        # how long the rating link in a completion text stays valid
        "RATING_LINK_MAX_AGE": 30 * 24 * 3600,
        # the residents' address of the site (https://…), for links in texts sent to them
        "PUBLIC_BASE_URL": None,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "ATTACHMENT_MAX_BYTES": 5 * 1024 * 1024,
        # the database unreachable: every channel answers 503 with this Retry-After
        "RETRY_AFTER_SECONDS": 30,
        # GET /metrics needs "Authorization: Bearer <token>"; unset, /metrics is a 404
        "METRICS_TOKEN": None,
        # "json" (one object a line) or "text"; unset: text in development, else json
        "LOG_FORMAT": None,
        "LOG_LEVEL": "INFO",
        # what residents need to call or come, shown wherever a page says so (text as it
        # should read; unset: the pages say it is not published here yet)
        "HOTLINE_NUMBER": None,  # e.g. "0631-1234567"
        "HALL_ADDRESS": None,  # the government service hall's street address
        "HALL_HOURS": None,  # e.g. "周一至周五 9:00–12:00，13:30–17:00"
        # `notify` reminds residents of appointments starting within this many hours
        "REMINDER_HOURS": 24,
        # targets for the evaluation and good-rating rates, as fractions (0.8 = 80%), drawn
        # as dashed lines on the rating charts; unset: none is drawn. The article's 80% and
        # 99% are results measured on site at the approval centre, shown as reported instead
        "RATING_TARGET_EVALUATION": None,
        "RATING_TARGET_GOOD": None,
    }


def _coerce(raw: str) -> Any:
    """Environment values are strings; accept JSON literals for numbers and booleans."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_mapping(defaults(app))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        for key, raw in os.environ.items():
            if key.startswith(ENV_PREFIX) and key != ENV_PREFIX + "TEST_DATABASE_URL":
                name = key[len(ENV_PREFIX):]
                keep = name.endswith(("_URL", "_URI", "_KEY", "_TOKEN"))  # always strings
                app.config[name] = raw if keep else _coerce(raw)
    else:
        app.config.from_mapping(test_config)

    secret_file = os.path.join(app.instance_path, "secret_key")
    if not app.config["SECRET_KEY"] and os.path.exists(secret_file):
        with open(secret_file, encoding="utf-8") as fh:
            app.config["SECRET_KEY"] = fh.read().strip()
    if not app.config["SECRET_KEY"]:
        if app.config["ENV_NAME"] == "production":
            raise ConfigError(
                "SERVICE_DESK_SECRET_KEY is not set. In production the session signing key is "
                "required: set SERVICE_DESK_SECRET_KEY or write it to instance/secret_key."
            )
        # development without a key: sessions work until restart; make run writes one
        app.config["SECRET_KEY"] = os.urandom(32).hex()
    if app.config["BEHIND_PROXY"]:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"

    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_db_url(app.config["DATABASE_URL"])
    # hide_parameters: a failed statement's values (phones, names) stay out of logged errors;
    # no pool_pre_ping: db.ping_when_idle checks only connections idle for DB_PING_IDLE_SECONDS
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"hide_parameters": True})


def normalise_db_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url
