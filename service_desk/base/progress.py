"""Progress of long commands: a bar on a terminal, nothing at all otherwise.

Cron and systemd mail or log every line a command prints, so off a terminal the commands
stay quiet (click's own bar would still print its label there). Progress goes to standard
error: standard output keeps the command's result for scripts. Domain code never imports
this; a command hands its service a callback or an iterable wrapper made here.
"""
from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any, Self, TextIO

import click


def _stream() -> TextIO:
    return sys.stderr


def on_terminal() -> bool:
    try:
        return _stream().isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream: not a terminal
        return False


class _Quiet:
    """What a bar offers (iterate, update), doing nothing."""

    def __init__(self, iterable: Iterable[Any] | None) -> None:
        self._iterable = iterable if iterable is not None else ()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __iter__(self) -> Iterator[Any]:
        return iter(self._iterable)

    def update(self, n_steps: int, current_item: Any = None) -> None:
        return None


def progress(iterable: Iterable[Any] | None = None, *, length: int | None = None,
             label: str) -> Any:
    """``with progress(rows, label=…) as bar: for row in bar: …`` or ``bar.update(n)`` with
    ``length``: click's progress bar on a terminal, a silent pass-through otherwise."""
    if not on_terminal():
        return _Quiet(iterable)
    return click.progressbar(iterable, length=length, label=label, file=_stream(),
                             show_pos=True, show_percent=True)


@contextlib.contextmanager
def stage(label: str) -> Iterator[None]:
    """A step that cannot be measured (an external tool running): "label… done in 2.1 s"
    on a terminal, nothing otherwise."""
    if not on_terminal():
        yield
        return
    stream = _stream()
    click.echo(f"{label}…", file=stream, nl=False)
    stream.flush()
    started = time.monotonic()
    try:
        yield
    except BaseException:
        click.echo("", file=stream)  # the error message starts on a line of its own
        raise
    click.echo(f" done in {time.monotonic() - started:.1f} s", file=stream)
