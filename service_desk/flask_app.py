"""The app's Flask class."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

_SYNC_CACHE_MAX = 4096  # hooks and views are a few hundred; a bound on anything made per call


class ServiceDeskFlask(Flask):
    """Flask, deciding once per hook or view whether it is ``async def``. Flask asks
    ``ensure_sync`` for every hook and view of every request (a dozen times for a plain API
    call), and ``inspect.iscoroutinefunction`` was a twentieth of such a call's CPU (issue 13).
    Flask documents this method as the one to override."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict[Callable, Callable] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            return self._sync[func]
        except KeyError:
            made = super().ensure_sync(func)
            if len(self._sync) < _SYNC_CACHE_MAX:
                self._sync[func] = made
            return made
        except TypeError:  # unhashable: asked each time, as Flask does
            return super().ensure_sync(func)
