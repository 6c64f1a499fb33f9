"""`service-desk import-matters FILE [--dry-run]`: the upload page's check and apply, by hand."""
from __future__ import annotations

import os
import sys

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


def _fail_rows(errors: list[RowError]) -> None:
    for error in errors:
        click.echo(f"row {error.row}, column {error.column}: {error.reason}", err=True)
    click.echo(f"{len(errors)} problems; nothing was imported.", err=True)
    sys.exit(1)


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@click.command("import-matters")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and report; change nothing.")
@with_appcontext
def import_matters(path: str, dry_run: bool) -> None:
    """Import a ledger spreadsheet (.xlsx or .csv): every bad row is reported and nothing
    changes, or the whole file is applied. Importing the same file twice changes nothing."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_UPLOAD_BYTES + 1)
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror or exc}")
    try:
        with stage(f"Reading {os.path.basename(path)}"):
            parsed = read_ledger(data, os.path.basename(path))
    except LedgerFileError as exc:
        _fail(exc.message)
    if dry_run:
        with Phases(PHASES) as report:
            plan = import_plan(parsed.rows, report=report)
        db.session.rollback()
        if plan.errors:
            _fail_rows(plan.errors)
        click.echo(f"dry run: would create {len(plan.created)}, update {len(plan.updated)}, "
                   f"unchanged {plan.unchanged}; nothing was changed.")
        return
    try:
        # one all-or-nothing check-and-apply, a bar for each of its two phases
        with Phases(PHASES) as report:
            result = import_apply(rows=parsed.rows, actor=ACTOR, source=os.path.basename(path),
                                  report=report)
        db.session.commit()
    except ImportRejected as exc:
        db.session.rollback()
        _fail_rows(exc.errors)
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        _fail("the ledger changed while importing; nothing was imported. Run the command again.")
    line = f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}"
    if result.key_issues_created:
        line += f" (new key issues: {result.key_issues_created})"
    click.echo(line)
