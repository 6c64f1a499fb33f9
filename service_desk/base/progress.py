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


class Phases:
    """For a service that reports ``(phase, done, total)``: one bar per phase on a terminal,
    labelled from ``labels``; nothing otherwise. Use as a context manager and pass it as the
    callback."""

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels
        self._phase: str | None = None
        self._bar: Any = None
        self._done = 0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self._phase:
            self.close()
            self._phase, self._done = phase, 0
            self._bar = progress(length=max(total, 1), label=self.labels.get(phase, phase))
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
