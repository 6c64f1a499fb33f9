"""`service-desk import-projects FILE [--dry-run]`: the key-projects workbook, all or nothing."""
from __future__ import annotations

import os

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..base.progress import Phases, stage
from ..extensions import db
from ..projects.importing import ImportRejected, import_apply, import_plan
from ..projects.services import StaleProject
from .cli import PHASES, _fail, _fail_rows
from .projects_io import read_projects
from .reader import MAX_UPLOAD_BYTES, LedgerFileError

ACTOR = "cli"


@click.command("import-projects")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and report; change nothing.")
@with_appcontext
def import_projects(path: str, dry_run: bool) -> None:
    """Import the key-projects workbook (.xlsx, the layout of /projects/export.xlsx): every
    bad cell is reported with its row and column and nothing changes, or the whole file is
    applied. Importing the same file twice changes nothing."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_UPLOAD_BYTES + 1)
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror or exc}")
    name = os.path.basename(path)
    try:
        with stage(f"Reading {name}"):
            parsed = read_projects(data, name)
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
        for change in plan.changes:
            click.echo(f"  {'new' if change.created else 'changed'} {change.code}: "
                       + ", ".join(change.described()))
        return
    try:
        with Phases(PHASES) as report:
            result = import_apply(rows=parsed.rows, actor=ACTOR, source=name, report=report)
        db.session.commit()
    except ImportRejected as exc:
        db.session.rollback()
        _fail_rows(exc.errors)
    except (StaleProject, StaleDataError, IntegrityError):
        db.session.rollback()
        _fail("the projects changed while importing; nothing was imported. "
              "Run the command again.")
    click.echo(f"created {result.created}, updated {result.updated}, "
               f"unchanged {result.unchanged}")
