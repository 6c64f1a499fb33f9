"""`service-desk import-projects FILE [--dry-run]`: the key-projects workbook, all or nothing."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..projects.importing import ImportRejected, import_apply, import_plan
from ..projects.services import StaleProject
from .cli import read_file, run_import
from .projects_io import read_projects


@click.command("import-projects")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and report; change nothing.")
@with_appcontext
def import_projects(path: str, dry_run: bool) -> None:
    """Import the key-projects workbook (.xlsx, the layout of /projects/export.xlsx): every
    bad cell is reported with its row and column and nothing changes, or the whole file is
    applied. Importing the same file twice changes nothing."""
    parsed, name = read_file(path, read_projects)
    result = run_import(parsed.rows, plan=import_plan, apply=import_apply,
                        rejected=ImportRejected, stale=(StaleProject,), what="projects",
                        source=name, dry_run=dry_run, describe=True)
    if result is not None:
        click.echo(f"created {result.created}, updated {result.updated}, "
                   f"unchanged {result.unchanged}")
