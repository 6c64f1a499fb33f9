"""`service-desk import-matters FILE [--dry-run]`: the upload page's check and apply, by hand."""
from __future__ import annotations

import os
import sys
from typing import NoReturn

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..base.progress import Phases, stage
from ..extensions import db
from .reader import MAX_UPLOAD_BYTES, LedgerFileError, read_ledger
from .services import ImportRejected, RowError, import_apply, import_plan

ACTOR = "cli"
PHASES = {"check": "Checking rows", "apply": "Applying changes"}


def _fail_rows(errors: list[RowError]) -> NoReturn:
    for error in errors:
        click.echo(f"row {error.row}, column {error.column}: {error.reason}", err=True)
    click.echo(f"{len(errors)} problems; nothing was imported.", err=True)
    sys.exit(1)


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def read_file(path: str, reader):
    """``reader(data, name)``'s result for the file at ``path`` (its bytes up to one past the
    upload limit, which the reader refuses), and the file's name; exits with the reader's
    message on a file it refuses."""
    try:
        with open(path, "rb") as fh:
            data, name = fh.read(MAX_UPLOAD_BYTES + 1), os.path.basename(path)
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror or exc}")
    try:
        with stage(f"Reading {name}"):
            return reader(data, name), name
    except LedgerFileError as exc:
        _fail(exc.message)


def run_import(rows, *, plan, apply, rejected: type[Exception], stale: tuple[type[Exception], ...],
               what: str, source: str, dry_run: bool, describe: bool = False):
    """Check ``rows`` (``--dry-run``: report and roll back) or apply them all or nothing, one
    bar for each phase; exits with every row's error, or when ``what`` changed meanwhile.
    Returns the apply's result, None after a dry run."""
    if dry_run:
        with Phases(PHASES) as report:
            checked = plan(rows, report=report)
        db.session.rollback()
        if checked.errors:
            _fail_rows(checked.errors)
        click.echo(f"dry run: would create {len(checked.created)}, update "
                   f"{len(checked.updated)}, unchanged {checked.unchanged}; nothing was changed.")
        for change in checked.changes if describe else ():
            click.echo(f"  {'new' if change.created else 'changed'} {change.code}: "
                       + ", ".join(change.described()))
        return None
    try:
        with Phases(PHASES) as report:
            result = apply(rows=rows, actor=ACTOR, source=source, report=report)
        db.session.commit()
    except rejected as exc:
        db.session.rollback()
        _fail_rows(exc.errors)  # type: ignore[attr-defined]
    except (*stale, StaleDataError, IntegrityError):
        db.session.rollback()
        _fail(f"the {what} changed while importing; nothing was imported. "
              "Run the command again.")
    return result


@click.command("import-matters")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and report; change nothing.")
@with_appcontext
def import_matters(path: str, dry_run: bool) -> None:
    """Import a ledger spreadsheet (.xlsx or .csv): every bad row is reported and nothing
    changes, or the whole file is applied. Importing the same file twice changes nothing."""
    parsed, name = read_file(path, read_ledger)
    result = run_import(parsed.rows, plan=import_plan, apply=import_apply,
                        rejected=ImportRejected, stale=(), what="ledger", source=name,
                        dry_run=dry_run)
    if result is None:
        return
    line = f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}"
    if result.key_issues_created:
        line += f" (new key issues: {result.key_issues_created})"
    click.echo(line)
