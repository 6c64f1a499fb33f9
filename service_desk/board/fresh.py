"""The public board's figures, kept for at most a second per process.

The board is the page a resident opens from a WeChat share, so it is read far more than its
data changes, and its zone-wide figures (headline counts, progress by unit and key issue, the
rating months over every finished request) are aggregates over the whole ledger and a year of
requests. They hold no personal data and are the same for every visitor, so each process keeps
them in memory and recomputes them at most once per ``BOARD_CACHE_SECONDS`` (1 s; 0 turns the
cache off, as the tests do): a change shows on the board within that time.

Fresh means the snapshot was *taken* (the query started) less than the bound before the answer:
a value is served only while ``clock() - taken < seconds``. A value computed from other kept
values (the page from the figures) is as old as the oldest of them, so it never outlives them.
One thread computes an expired value while the others of the process wait for it rather than
run the same aggregates at once.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app

MAX_KEYS = 256  # items pages by filter and page number; the oldest goes first

# the clock, monotonic: tests replace it to step time without sleeping
clock: Callable[[], float] = time.monotonic

_values: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
_locks: dict[Hashable, threading.Lock] = {}
_guard = threading.Lock()
_computing = threading.local()  # this thread's stack of the taken times being computed


def fresh(key: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()``'s value for ``key``, computed less than BOARD_CACHE_SECONDS ago."""
    seconds = current_app.config.get("BOARD_CACHE_SECONDS", 1.0)
    if not seconds or seconds <= 0:
        return compute()
    key = (id(current_app._get_current_object()), key)  # one app's data, never another's
    hit = _current(key, seconds)
    if hit is None:
        with _guard:
            lock = _locks.setdefault(key, threading.Lock())
        with lock:
            hit = _current(key, seconds)  # another thread may have computed it meanwhile
            if hit is None:
                hit = _compute(key, compute)
    _used(hit[0])
    return hit[1]


def _compute(key: Hashable, compute: Callable[[], Any]) -> tuple[float, Any]:
    stack = _computing.__dict__.setdefault("stack", [])
    stack.append(clock())  # before the queries: the value is as old as its snapshot
    try:
        value = compute()
    finally:
        taken = stack.pop()  # lowered by the kept values the computation used
    with _guard:
        _values[key] = (taken, value)
        _values.move_to_end(key)
        while len(_values) > MAX_KEYS:
            old, _ = _values.popitem(last=False)
            _locks.pop(old, None)
    return taken, value


def _used(taken: float) -> None:
    """A computation in progress on this thread used a value taken at ``taken``."""
    stack = getattr(_computing, "stack", None)
    if stack:
        stack[-1] = min(stack[-1], taken)


def _current(key: Hashable, seconds: float) -> tuple[float, Any] | None:
    hit = _values.get(key)
    if hit is not None and clock() - hit[0] < seconds:
        return hit
    return None


def forget() -> None:
    """Drop every kept value (tests)."""
    with _guard:
        _values.clear()
        _locks.clear()
