"""The key projects as the bureau's workbook: /projects/export.xlsx (thin view).

Each person gets the projects they may view (projects.queries.visible_projects: the rule of
permissions.can_view_project), no others; the rows are written one by one into openpyxl's
write-only workbook, saved to a temporary file and streamed from it.
"""
from __future__ import annotations

from flask import send_file
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..base.calendar import today
from ..extensions import db
from ..permissions import PROJECT_ROLES, can_list_projects, require, role_required
from ..projects.models import KeyProject, TaskTeamMember
from ..projects.queries import visible_projects
from ..projects.sheet import row_values
from . import projects_bp
from .projects_io import write_projects_xlsx
from .routes import XLSX_MIMETYPE, _attachment


def _visible(user) -> list[KeyProject]:
    """The projects ``user`` may view (permissions.can_view_project, as SQL)."""
    return list(db.session.scalars(visible_projects(user).options(
        selectinload(KeyProject.owner_unit), selectinload(KeyProject.milestones),
        selectinload(KeyProject.team).selectinload(TaskTeamMember.unit),
    ).order_by(KeyProject.code)))


@projects_bp.get("/export.xlsx")
@role_required(*PROJECT_ROLES)
def export_xlsx():
    """The projects the caller may view, one row each, in the bureau's layout."""
    require(can_list_projects(current_user))
    projects = _visible(current_user)
    out = write_projects_xlsx((row_values(p) for p in projects), len(projects))
    day = today().isoformat()
    response = send_file(out, mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=f"projects-{day}.xlsx", etag=False)
    response.headers["Content-Disposition"] = _attachment(f"重点项目台账-{day}.xlsx",
                                                          f"projects-{day}.xlsx")
    response.headers["Cache-Control"] = "no-store"
    return response
