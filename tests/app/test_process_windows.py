"""The per-process sliding-window counters behind the cached reads' rate limit
(extensions.ProcessWindows): exact within a window, the previous window weighed by overlap,
and a wait after which the next request is allowed."""
from __future__ import annotations

import pytest
from limits import parse

from service_desk.extensions import ProcessWindows

PER_MINUTE = parse("10 per minute")
T0 = 6_000_000 * 60.0  # a window's start


def fill(windows, key, n, at):
    return [windows.hit(key, PER_MINUTE, now=at) for _ in range(n)]


def test_the_limit_holds_within_a_window_and_keys_are_apart():
    windows = ProcessWindows()
    assert fill(windows, ("s", "a"), 10, T0 + 5) == [None] * 10
    assert windows.hit(("s", "a"), PER_MINUTE, now=T0 + 6) is not None
    assert windows.hit(("s", "b"), PER_MINUTE, now=T0 + 6) is None
    assert windows.hit(("t", "a"), PER_MINUTE, now=T0 + 6) is None  # another scope


def test_the_previous_window_weighs_by_how_much_the_sliding_window_still_covers():
    windows = ProcessWindows()
    fill(windows, "k", 10, T0 + 50)
    # 15 s into the next window the last one still weighs 0.75: 7.5 + 2 new ones is 9.5
    assert fill(windows, "k", 2, T0 + 75) == [None, None]
    assert windows.hit("k", PER_MINUTE, now=T0 + 75) is not None
    # once the sliding window has passed both, nothing is left of them
    assert fill(windows, "k", 10, T0 + 185) == [None] * 10


@pytest.mark.parametrize("used_before, used_now, at", [(10, 0, 1.0), (4, 8, 20.0), (0, 10, 59.0),
                                                      (10, 3, 1.0), (7, 3, 5.0)])
def test_the_wait_given_is_the_moment_the_next_request_is_allowed(used_before, used_now, at):
    windows = ProcessWindows()
    fill(windows, "k", used_before, T0 - 1)
    fill(windows, "k", used_now, T0 + at - 0.5)
    wait = windows.hit("k", PER_MINUTE, now=T0 + at)
    assert wait is not None and wait > 0
    assert windows.hit("k", PER_MINUTE, now=T0 + at + wait - 0.01) is not None
    assert windows.hit("k", PER_MINUTE, now=T0 + at + wait + 0.01) is None


def test_a_large_table_drops_only_stale_keys():
    windows = ProcessWindows()
    windows.MAX_KEYS = windows._prune_at = 100
    for n in range(100):
        windows.hit(("old", n), PER_MINUTE, now=T0 - 120)
    fill(windows, "busy", 10, T0 + 1)
    windows.hit(("new", 1), PER_MINUTE, now=T0 + 2)  # past the size: the old ones go
    assert len(windows._counts) == 2
    assert windows.hit("busy", PER_MINUTE, now=T0 + 3) is not None  # still counted


def test_many_live_keys_are_not_pruned_on_every_hit():
    windows = ProcessWindows()
    windows.MAX_KEYS = windows._prune_at = 10
    for n in range(11):
        windows.hit(("live", n), PER_MINUTE, now=T0 + 1)
    assert len(windows._counts) == 11 and windows._prune_at == 22  # nothing stale to drop
