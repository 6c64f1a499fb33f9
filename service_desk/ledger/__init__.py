"""The ledger in Excel, both ways: export (xlsx, csv) and all-or-nothing import."""
from flask import Blueprint

bp = Blueprint("ledger", __name__, url_prefix="/matters", template_folder="templates")
# the key projects' workbook (/projects/export.xlsx), beside the projects' own pages
projects_bp = Blueprint("projects_io", __name__, url_prefix="/projects")

from . import projects_routes, routes  # noqa: F401
