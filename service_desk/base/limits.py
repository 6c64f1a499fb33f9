"""The rate limits every channel applies, named once.

Flask-Limiter reads these per request, so tests and operators can change them in config;
counters live in RATELIMIT_STORAGE_URI (SERVICE_DESK_RATELIMIT_STORAGE_URI), shared by every
process that points at the same Redis.
"""
from __future__ import annotations

from flask import current_app, request

from ..extensions import limiter

READ_LIMIT = "API_READ_RATE_LIMIT"
CACHED_READ = "cached-read"  # the scope of count_cached_read's counts
# in the WSGI environ of a call the slots lane counted before passing it on to Flask
COUNTED_BY_LANE = "service_desk.cached_read_counted"


def read_limit() -> str:
    return current_app.config[READ_LIMIT]


def count_cached_read() -> None:
    """API_READ_RATE_LIMIT for a read answered from this process's cache (the slots call),
    counted in this process (extensions.ViewLimiter.count_in_process says why); once, when
    the slots lane counted it already."""
    if not request.environ.get(COUNTED_BY_LANE):
        limiter.count_in_process(read_limit(), scope=CACHED_READ)


def write_limit() -> str:
    return current_app.config["API_WRITE_RATE_LIMIT"]


def lookup_limit() -> str:
    """Reference + phone look-ups: the guessing a resident's booking would take."""
    return current_app.config["LOOKUP_RATE_LIMIT"]


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def login_failure_limit() -> str:
    """Failed sign-ins per client; an account locks only after LOGIN_MAX_FAILURES, from
    several clients, so one client cannot lock an administrator out."""
    return current_app.config["LOGIN_FAILURE_RATE_LIMIT"]


# New bookings from the public (the web's confirm step and POST /api/v1/appointments) draw on
# one budget per client, so a client cannot double its bookings by switching channel.
new_booking_limit = limiter.shared_limit(write_limit, scope="new-booking")

# Every look-up by reference + phone (My booking, the rating look-up, and the API's get,
# report, cancel, reschedule and rating) draws on one budget per client: the documented
# LOOKUP_RATE_LIMIT is what a guesser gets in all, not once per way in.
LOOKUP_SCOPE = "reference-lookup"
lookup_budget = limiter.shared_limit(lookup_limit, scope=LOOKUP_SCOPE)
lookup_budget_on_post = limiter.shared_limit(lookup_limit, scope=LOOKUP_SCOPE, methods=["POST"])
