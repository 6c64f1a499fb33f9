"""Thin views over the key-projects ledger (/projects): parse, check access per project,
call a query or a service, commit once, render. Project details are internal."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..base.calendar import today
from ..extensions import db
from ..matters.models import notice_number
from ..permissions import (
    PROJECT_ROLES,
    Role,
    can_edit_project,
    can_set_exchange_rates,
    can_view_project,
    can_view_project_totals,
    require,
    role_required,
)
from . import fieldwork_queries
from .dates import milestone_is_overdue
from .forms import MilestoneForm, ProjectForm, RateForm, RemoveForm, TeamMemberForm
from .labels import (
    CATEGORY_LABELS,
    KIND_LABELS,
    ORIGIN_LABELS,
    RECORD_KIND_LABELS,
    STAGE_LABELS,
    change_words,
    date_at,
)
from .models import KeyProject, ProjectMilestone
from .queries import (
    REPORTED_FUNDS_KEYS,
    REPORTED_KEYS,
    filters_from_args,
    leaders,
    next_milestone,
    overdue_milestones,
    project_by_code,
    project_notices,
    project_rows,
    reported_figures,
    totals_live,
    units_list,
)
from .services import (
    ProjectError,
    StaleProject,
    changes_since,
    milestone_remove,
    milestone_set,
    project_update,
    rate_set,
    team_member_add,
    team_member_remove,
)

bp = Blueprint("projects", __name__, url_prefix="/projects", template_folder="templates")

LABELS = {"stages": STAGE_LABELS, "kinds": KIND_LABELS, "origins": ORIGIN_LABELS,
          "categories": CATEGORY_LABELS, "record_kinds": RECORD_KIND_LABELS}


@bp.app_context_processor
def project_words() -> dict:
    """``date_at(day, precision)`` in every template: a date as precise as it was given."""
    return {"date_at": date_at}


def _project(code: str, *, edit: bool = False) -> KeyProject:
    project = project_by_code(code)
    if project is None:
        abort(404)
    require(can_edit_project(current_user, project) if edit
            else can_view_project(current_user, project))
    return project


@bp.get("/")
@role_required(*PROJECT_ROLES)
def index():
    filters = filters_from_args(request.args)
    return render_template("projects/index.html", rows=project_rows(current_user, filters,
                                                                    today=today()),
                           filters=filters, units=units_list(), leaders=leaders(), **LABELS)


@bp.get("/mine")
@role_required(Role.LEADER)
def mine():
    """The leader's page: their projects, the milestones that are late, and the open
    difficulties by the unit they wait on (from the site visits)."""
    filters = filters_from_args({})
    rows = project_rows(current_user, filters, today=today())
    return render_template(
        "projects/mine.html", rows=rows, late=overdue_milestones(today(), user=current_user),
        waiting=fieldwork_queries.difficulties_for_leader(current_user),
        is_late=fieldwork_queries.is_late, today=today(), **LABELS)


@bp.get("/<code>")
@role_required(*PROJECT_ROLES)
def detail(code: str):
    project = _project(code)
    may_edit = can_edit_project(current_user, project)
    return _render_detail(project, _team_form(project) if may_edit else None)


def _render_detail(project: KeyProject, team_form: TeamMemberForm | None, status: int = 200):
    late = {m.id for m in project.milestones if milestone_is_overdue(m, today())}
    return render_template("projects/detail.html", project=project, late=late,
                           next_milestone=next_milestone(project),
                           may_edit=team_form is not None, team_form=team_form,
                           remove_form=RemoveForm(version=str(project.version)),
                           notices=project_notices(project.id), notice_number=notice_number,
                           **LABELS), status


def _edit_form(project: KeyProject, form: ProjectForm | None = None) -> ProjectForm:
    form = form or ProjectForm(obj=project, version=str(project.version))
    form.owner_unit_id.choices = [("", _("Not stated"))] + [
        (str(u.id), u.name) for u in units_list()]
    form.leader_user_id.choices = [("", _("Not stated"))] + [
        (str(u.id), u.display_name or u.username) for u in leaders()]
    if request.method == "GET":
        for name in ("record_kind", "origin", "category", "stage"):
            value = getattr(project, name)
            getattr(form, name).data = getattr(value, "value", value) or ""
        for name in ("owner_unit_id", "leader_user_id"):
            value = getattr(project, name)
            getattr(form, name).data = str(value) if value is not None else ""
    return form


@bp.route("/<code>/edit", methods=["GET", "POST"])
@role_required(*PROJECT_ROLES)
def edit(code: str):
    project = _project(code, edit=True)
    form = _edit_form(project, ProjectForm() if request.method == "POST" else None)
    if request.method == "GET":
        return render_template("projects/edit.html", project=project, form=form)
    if not form.validate():
        return render_template("projects/edit.html", project=project, form=form), 422
    try:
        project_update(project, actor=current_user, version=int(form.version.data),
                       changes=form.changes())
    except StaleProject as exc:
        return _stale(project, form, exc)
    except ProjectError as exc:
        db.session.rollback()
        _field_error(form, exc)
        return render_template("projects/edit.html", project=project, form=form), 422
    db.session.commit()
    flash(_("The project was saved."), "success")
    return redirect(url_for("projects.detail", code=project.code))


def _stale(project: KeyProject, form, exc: StaleProject):
    """409 with what was saved since the form was opened, the current values, and the
    user's typed values kept in the form (the new version so a second save goes through)."""
    db.session.rollback()
    fresh = project_by_code(project.code)
    version = int(form.version.data) if (form.version.data or "").isdigit() else 0
    labels = {**{f.name: f.label.text for f in ProjectForm(formdata=None)},
              **{f.name: f.label.text for f in form}}
    changes = [(c.at, c.actor_label, change_words(c.action, c.after, labels))
               for c in changes_since(fresh, version)]
    form.version.data = str(fresh.version)
    template = "projects/edit.html" if isinstance(form, ProjectForm) else "projects/milestone.html"
    return render_template(template, project=fresh, form=form, changes=changes,
                           error=str(exc.message), milestone=None), 409


def _field_error(form, exc: ProjectError) -> None:
    target = getattr(form, exc.field, None) if exc.field else None
    if target is not None:
        target.errors = [*target.errors, str(exc.message)]
    else:
        flash(str(exc.message), "error")


def _milestone(project: KeyProject, milestone_id: int | None) -> ProjectMilestone | None:
    if milestone_id is None:
        return None
    found = next((m for m in project.milestones if m.id == milestone_id), None)
    if found is None:
        abort(404)
    return found


@bp.route("/<code>/milestones/new", methods=["GET", "POST"], defaults={"milestone_id": None})
@bp.route("/<code>/milestones/<int:milestone_id>", methods=["GET", "POST"])
@role_required(*PROJECT_ROLES)
def milestone(code: str, milestone_id: int | None):
    project = _project(code, edit=True)
    found = _milestone(project, milestone_id)
    if request.method == "GET":
        form = MilestoneForm(obj=found, version=str(project.version))
        if found is not None:
            form.kind.data = found.kind.value
            form.precision.data = found.precision.value
            form.actual_precision.data = (found.actual_precision or found.precision).value
        return render_template("projects/milestone.html", project=project, form=form,
                               milestone=found)
    form = MilestoneForm()
    if not form.validate():
        return render_template("projects/milestone.html", project=project, form=form,
                               milestone=found), 422
    try:
        milestone_set(project, actor=current_user, milestone=found, kind=form.kind.data,
                      planned_on=form.planned_on.data, precision=form.precision.data,
                      actual_on=form.actual_on.data, actual_precision=form.actual_precision.data,
                      amount=form.amount.data, currency=form.currency.data,
                      note=form.note.data, version=int(form.version.data))
    except StaleProject as exc:
        return _stale(project, form, exc)
    except ProjectError as exc:
        db.session.rollback()
        _field_error(form, exc)
        return render_template("projects/milestone.html", project=project, form=form,
                               milestone=found), 422
    db.session.commit()
    flash(_("The milestone was saved."), "success")
    return redirect(url_for("projects.detail", code=project.code) + "#milestones")


@bp.post("/<code>/milestones/<int:milestone_id>/remove")
@role_required(*PROJECT_ROLES)
def milestone_delete(code: str, milestone_id: int):
    project = _project(code, edit=True)
    found = _milestone(project, milestone_id)
    return _remove(project, "#milestones", _("The milestone was removed."),
                   lambda version: milestone_remove(project, actor=current_user, milestone=found,
                                                    version=version))


def _remove(project: KeyProject, anchor: str, done: str, remove):
    """A removal from the project page: its form carries the project's version, which the
    service checks (a stale page is told to look again, nothing removed)."""
    form = RemoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        remove(int(form.version.data))
    except StaleProject:
        db.session.rollback()
        flash(_("Someone else updated this project: look again before removing."), "error")
        return redirect(url_for("projects.detail", code=project.code))
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("projects.detail", code=project.code) + anchor)


def _team_form(project: KeyProject, form: TeamMemberForm | None = None) -> TeamMemberForm:
    form = form or TeamMemberForm(version=str(project.version))
    form.unit_id.choices = [(str(u.id), u.name) for u in units_list()]
    return form


@bp.post("/<code>/team")
@role_required(*PROJECT_ROLES)
def team_add(code: str):
    project = _project(code, edit=True)
    form = _team_form(project, TeamMemberForm())
    if not form.validate():
        return _detail_again(project, form)
    try:
        team_member_add(project, actor=current_user,
                        unit_id=int(form.unit_id.data) if (form.unit_id.data or "").isdigit()
                        and len(form.unit_id.data) < 10 else None,
                        name=form.name.data, duty=form.duty.data)
    except ProjectError as exc:
        db.session.rollback()
        _field_error(form, exc)
        return _detail_again(project_by_code(code), form)
    db.session.commit()
    flash(_("The task team was updated."), "success")
    return redirect(url_for("projects.detail", code=project.code) + "#team")


def _detail_again(project: KeyProject, form: TeamMemberForm):
    return _render_detail(project, form, 422)


@bp.post("/<code>/team/<int:member_id>/remove")
@role_required(*PROJECT_ROLES)
def team_remove(code: str, member_id: int):
    project = _project(code, edit=True)
    member = next((m for m in project.team if m.id == member_id), None)
    if member is None:
        abort(404)
    return _remove(project, "#team", _("The task team was updated."),
                   lambda version: team_member_remove(project, actor=current_user, member=member,
                                                      version=version))


@bp.route("/totals", methods=["GET", "POST"])
@role_required(Role.SUPERVISOR, Role.LEADER, Role.ADMIN)
def totals():
    """Live totals beside the article's; supervisors set the exchange rates here."""
    require(can_view_project_totals(current_user))
    may_set = can_set_exchange_rates(current_user)
    form = RateForm() if may_set else None
    status = 200
    if request.method == "POST":
        require(may_set)
        if form.validate():
            try:
                rate_set(actor=current_user, currency=form.currency.data,
                         rate_to_cny=form.rate_to_cny.data)
            except ProjectError as exc:
                db.session.rollback()
                _field_error(form, exc)
                status = 422
            else:
                db.session.commit()
                flash(_("The rate was set."), "success")
                return redirect(url_for("projects.totals"))
        else:
            status = 422
    return render_template("projects/totals.html", live=totals_live(today()),
                           reported=reported_figures(), reported_keys=REPORTED_KEYS,
                           funds_keys=REPORTED_FUNDS_KEYS, form=form, **LABELS), status
