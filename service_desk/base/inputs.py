"""What the database can store, checked before input reaches SQL.

Text: PostgreSQL refuses NUL in a text value, and a lone surrogate (U+D800–U+DFFF: a JSON
string may carry one as ``"\\ud800"``) cannot be encoded as UTF-8 at all. Integers: every
integer column is SQL ``INTEGER`` (PostgreSQL's int4), and a larger Python int sent as a
parameter fails in the driver (SQLite) or in the statement (PostgreSQL).
"""
from __future__ import annotations

import re

INT_MIN, INT_MAX = -(2**31), 2**31 - 1

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def storable_text(value: str) -> bool:
    """False when ``value`` holds NUL or a lone surrogate."""
    return _UNSTORABLE.search(value) is None


def has_surrogate(value: str) -> bool:
    """A lone surrogate: such a string cannot even be echoed back in a UTF-8 answer."""
    return _SURROGATE.search(value) is not None


def printable(value: str) -> str:
    """``value`` safe to echo in an answer: lone surrogates become U+FFFD."""
    return _SURROGATE.sub("\ufffd", value)


def storable_int(value: int) -> bool:
    return INT_MIN <= value <= INT_MAX


def id_arg(args, name: str) -> int | None:
    """A positive integer id from a query string; None when absent, unreadable (``1e20``,
    ``²``) or beyond the database's integers, so it is never sent to SQL."""
    raw = (args.get(name) or "").strip()
    if not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if 1 <= value <= INT_MAX else None
