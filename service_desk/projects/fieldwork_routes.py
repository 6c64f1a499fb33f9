"""Field-work pages: a project's visits and difficulties, what waits on a unit, closing a
difficulty, joint site selection, the opening case. Thin: parse, check access, call a service,
commit once, render."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from ..base.calendar import today
from ..extensions import db
from ..permissions import (
    PROJECT_ROLES,
    Role,
    can_answer_for_unit,
    can_edit_project,
    can_mark_opening_item,
    can_supervise,
    can_view_difficulty,
    can_view_opening_case,
    can_view_project,
    can_work_opening_case,
    require,
    role_required,
)
from ..units.models import Unit
from .fieldwork import DifficultyStatus, SelectionAnswer
from .fieldwork_forms import (
    DifficultyCloseForm,
    OpeningItemAddForm,
    OpeningItemDoneForm,
    OpeningItemRemoveForm,
    SiteSelectionAnswerForm,
    SiteSelectionForm,
    SiteVisitForm,
    unit_choices,
)
from .fieldwork_queries import (
    active_units,
    answer_is_late,
    answers_for_unit,
    difficulties_for_leader,
    difficulties_for_unit,
    difficulty_get,
    is_late,
    opening_case_get,
    project_fieldwork,
    selection_get,
)
from .fieldwork_services import (
    DifficultyInput,
    FieldworkError,
    StaleFieldwork,
    difficulty_close,
    opening_item_add,
    opening_item_done,
    opening_item_remove,
    site_selection_answer,
    site_selection_request,
    site_selection_units,
    site_visit_record,
)
from .models import KeyProject

bp = Blueprint("fieldwork", __name__, url_prefix="/projects", template_folder="templates")


def _project(code: str) -> KeyProject:
    project = db.session.scalar(select(KeyProject).where(KeyProject.code == code)
                                .options(selectinload(KeyProject.team)))
    if project is None:
        abort(404)
    require(can_view_project(current_user, project))
    return project


def project_url(project) -> str | None:
    """The project's own page (the ledger's blueprint), when it is registered."""
    try:
        return url_for("projects.detail", code=project.code)
    except BuildError:
        return None


def _version(form) -> int | None:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


def _field_error(form, exc: FieldworkError) -> str | None:
    """Put the error on its field when the form has it; else return it for the page top."""
    target = form
    for part in (exc.field or "").split("-"):
        if part.isdigit() and hasattr(target, "entries"):
            target = target.entries[int(part)].form if int(part) < len(target.entries) else None
        elif target is not None and part in target:
            target = target[part]
        else:
            target = None
        if target is None:
            break
    if exc.field and target is not None and hasattr(target, "errors") and not hasattr(target, "_fields"):
        target.errors = list(target.errors) + [str(exc.message)]
        return None
    return str(exc.message)


# --- a project's field work --------------------------------------------------------------------

def _project_page(project: KeyProject, *, visit_form=None, selection_form=None, error=None,
                  status=200):
    may_edit = can_edit_project(current_user, project)
    units = active_units()
    if may_edit and visit_form is None:
        visit_form = SiteVisitForm(formdata=None, visited_on=today())
    if visit_form is not None:
        visit_form.set_units(units)
    if may_edit and selection_form is None:
        selection_form = SiteSelectionForm(formdata=None)
    return render_template(
        "fieldwork/project.html", project=project, work=project_fieldwork(project.id),
        may_edit=may_edit, visit_form=visit_form if may_edit else None,
        selection_form=selection_form if may_edit else None, selection_units=site_selection_units(),
        error=error, today=today(), is_late=is_late, answer_is_late=answer_is_late,
        back_url=project_url(project)), status


@bp.get("/<code>/fieldwork")
@role_required(*PROJECT_ROLES)
def project_page(code: str):
    return _project_page(_project(code))


@bp.post("/<code>/visits")
@role_required(Role.STAFF, Role.ADMIN)
def visit_new(code: str):
    project = _project(code)
    require(can_edit_project(current_user, project))
    form = SiteVisitForm()
    form.set_units(active_units())
    if not form.validate_on_submit():
        return _project_page(project, visit_form=form, status=422)
    rows = [DifficultyInput(description=row.form.description.data or "",
                            unit_id=row.form.unit.data, deadline=row.form.deadline.data)
            for row in form.difficulties]
    try:
        site_visit_record(project=project, actor=current_user, visited_on=form.visited_on.data,
                          progress_seen=form.progress_seen.data, unit_ids=form.units.data or [],
                          difficulties=rows)
        db.session.commit()
    except FieldworkError as exc:
        db.session.rollback()
        project = _project(code)
        return _project_page(project, visit_form=form, error=_field_error(form, exc), status=422)
    flash(_("The site visit was recorded."), "success")
    return redirect(url_for("fieldwork.project_page", code=code))


@bp.post("/<code>/site-selections")
@role_required(Role.STAFF, Role.ADMIN)
def selection_new(code: str):
    project = _project(code)
    require(can_edit_project(current_user, project))
    form = SiteSelectionForm()
    if not form.validate_on_submit():
        return _project_page(project, selection_form=form, status=422)
    try:
        selection = site_selection_request(project=project, actor=current_user,
                                           deadline=form.deadline.data, note=form.note.data)
        db.session.commit()
    except FieldworkError as exc:
        db.session.rollback()
        project = _project(code)
        return _project_page(project, selection_form=form, error=_field_error(form, exc),
                             status=422)
    flash(_("The joint site selection was sent to the departments."), "success")
    return redirect(url_for("fieldwork.selection_page", selection_id=selection.id))


# --- what waits on a unit ----------------------------------------------------------------------

@bp.get("/waiting")
@role_required(*PROJECT_ROLES)
def waiting():
    """Staff: their unit's difficulties and site-selection requests. Supervisors and
    administrators choose a unit; a leader sees the open difficulties of their projects."""
    if current_user.role is Role.LEADER:
        return render_template("fieldwork/leader.html", groups=difficulties_for_leader(current_user),
                               today=today(), is_late=is_late)
    unit = None
    if current_user.role is Role.STAFF:
        unit = current_user.unit
    elif request.args.get("unit"):
        unit = db.session.scalar(select(Unit).where(Unit.code == request.args["unit"]))
        if unit is None:
            abort(404)
    show_closed = request.args.get("closed") == "1"
    difficulties = answers = []
    if unit is not None:
        difficulties = difficulties_for_unit(
            unit.id, status=None if show_closed else DifficultyStatus.OPEN)
        answers = answers_for_unit(unit.id, pending_only=not show_closed)
    return render_template("fieldwork/waiting.html", unit=unit, units=active_units(),
                           difficulties=difficulties, answers=answers, show_closed=show_closed,
                           may_choose=can_supervise(current_user), today=today(),
                           is_late=is_late, answer_is_late=answer_is_late)


# --- one difficulty ----------------------------------------------------------------------------

def _difficulty_page(difficulty_id: int, form=None, error=None, status=200):
    difficulty = difficulty_get(difficulty_id)
    if difficulty is None:
        abort(404)
    project = _project_unchecked(difficulty.project_id)
    require(can_view_difficulty(current_user, difficulty, project))
    may_close = (difficulty.status is DifficultyStatus.OPEN
                 and can_answer_for_unit(current_user, difficulty.unit_id))
    if may_close and form is None:
        form = DifficultyCloseForm(formdata=None, version=str(difficulty.version))
    elif may_close:
        form.version.data = str(difficulty.version)  # after a 409: the current version
    return render_template("fieldwork/difficulty.html", d=difficulty, project=project,
                           form=form if may_close else None, error=error, today=today(),
                           late=is_late(difficulty, today()),
                           may_view_project=can_view_project(current_user, project)), status


def _project_unchecked(project_id: int) -> KeyProject:
    return db.session.scalar(select(KeyProject).where(KeyProject.id == project_id)
                             .options(selectinload(KeyProject.team)))


@bp.get("/difficulties/<int:difficulty_id>")
@role_required(*PROJECT_ROLES)
def difficulty_page(difficulty_id: int):
    return _difficulty_page(difficulty_id)


@bp.post("/difficulties/<int:difficulty_id>/close")
@role_required(Role.STAFF, Role.ADMIN)
def difficulty_close_view(difficulty_id: int):
    difficulty = difficulty_get(difficulty_id)
    if difficulty is None:
        abort(404)
    require(can_answer_for_unit(current_user, difficulty.unit_id))
    form = DifficultyCloseForm()
    if not form.validate_on_submit():
        return _difficulty_page(difficulty_id, form=form, status=422)
    try:
        difficulty_close(difficulty=difficulty, actor=current_user, note=form.note.data,
                         expected_version=_version(form))
        db.session.commit()
    except StaleFieldwork as exc:
        db.session.rollback()
        return _difficulty_page(difficulty_id, form=form, error=str(exc.message), status=409)
    except FieldworkError as exc:
        db.session.rollback()
        return _difficulty_page(difficulty_id, form=form, error=_field_error(form, exc),
                                status=422)
    flash(_("The difficulty was closed."), "success")
    return redirect(url_for("fieldwork.difficulty_page", difficulty_id=difficulty_id))


# --- joint site selection ----------------------------------------------------------------------

def _selection_page(selection_id: int, form=None, error=None, status=200):
    selection = selection_get(selection_id)
    if selection is None:
        abort(404)
    project = _project_unchecked(selection.project_id)
    mine = next((a for a in selection.answers if a.answer is None
                 and current_user.role is Role.STAFF and current_user.unit_id == a.unit_id), None)
    require(can_view_project(current_user, project)
            or any(can_answer_for_unit(current_user, a.unit_id) for a in selection.answers))
    if mine is not None and form is None:
        form = SiteSelectionAnswerForm(formdata=None, version=str(mine.version))
    elif mine is not None:
        form.version.data = str(mine.version)
    return render_template("fieldwork/selection.html", selection=selection, project=project,
                           mine=mine, form=form if mine else None, error=error, today=today(),
                           answer_is_late=answer_is_late,
                           may_view_project=can_view_project(current_user, project)), status


@bp.get("/site-selections/<int:selection_id>")
@role_required(*PROJECT_ROLES)
def selection_page(selection_id: int):
    return _selection_page(selection_id)


@bp.post("/site-selections/<int:selection_id>/answer")
@role_required(Role.STAFF, Role.ADMIN)
def selection_answer(selection_id: int):
    selection = selection_get(selection_id)
    if selection is None:
        abort(404)
    answer = next((a for a in selection.answers if a.unit_id == current_user.unit_id), None)
    if answer is None:
        abort(403)  # not one of the departments asked
    require(can_answer_for_unit(current_user, answer.unit_id))
    form = SiteSelectionAnswerForm()
    if not form.validate_on_submit():
        return _selection_page(selection_id, form=form, status=422)
    try:
        site_selection_answer(answer=answer, actor=current_user,
                              verdict=SelectionAnswer(form.answer.data), note=form.note.data,
                              expected_version=_version(form))
        db.session.commit()
    except StaleFieldwork as exc:
        db.session.rollback()
        return _selection_page(selection_id, form=form, error=str(exc.message), status=409)
    except FieldworkError as exc:
        db.session.rollback()
        return _selection_page(selection_id, form=form, error=_field_error(form, exc), status=422)
    flash(_("Your department's answer was sent."), "success")
    return redirect(url_for("fieldwork.selection_page", selection_id=selection_id))


# --- the opening case (完工即开业) -------------------------------------------------------------

def _case_page(case_id: int, add_form=None, error=None, status=200):
    case = opening_case_get(case_id)
    if case is None:
        abort(404)
    project = _project_unchecked(case.project_id)
    require(can_view_opening_case(current_user, case, project))
    may_work = can_work_opening_case(current_user, case)
    version = str(case.version)
    if may_work and add_form is None:
        add_form = OpeningItemAddForm(formdata=None)
    if add_form is not None:
        add_form.version.data = version
        add_form.unit.choices = unit_choices(active_units(), empty=_("Not stated"))
    markable = {i.id for i in case.items if i.done_at is None
                and can_mark_opening_item(current_user, case, i)}
    return render_template(
        "fieldwork/opening.html", case=case, project=project, may_work=may_work,
        add_form=add_form if may_work else None, markable=markable, version=version,
        done_form=OpeningItemDoneForm(formdata=None, version=version),
        remove_form=OpeningItemRemoveForm(formdata=None, version=version), error=error,
        may_view_project=can_view_project(current_user, project)), status


@bp.get("/opening-cases/<int:case_id>")
@role_required(*PROJECT_ROLES)
def opening_page(case_id: int):
    return _case_page(case_id)


def _case_action(case_id: int, form, action, *, need_work: bool, item_id: int | None = None):
    case = opening_case_get(case_id)
    if case is None:
        abort(404)
    item = None
    if item_id is not None:
        item = next((i for i in case.items if i.id == item_id), None)
        if item is None:
            abort(404)
    allowed = (can_work_opening_case(current_user, case) if need_work
               else can_mark_opening_item(current_user, case, item))
    require(allowed)
    if not form.validate_on_submit():
        errors = [str(e) for errors in form.errors.values() for e in errors]
        return _case_page(case_id, error=" ".join(errors), status=422)
    try:
        action(case, item)
        db.session.commit()
    except StaleFieldwork as exc:
        db.session.rollback()
        return _case_page(case_id, error=str(exc.message), status=409)
    except FieldworkError as exc:
        db.session.rollback()
        return _case_page(case_id, error=str(exc.message), status=422)
    flash(_("The checklist was saved."), "success")
    return redirect(url_for("fieldwork.opening_page", case_id=case_id))


@bp.post("/opening-cases/<int:case_id>/items")
@role_required(Role.STAFF, Role.ADMIN)
def opening_add(case_id: int):
    form = OpeningItemAddForm()
    form.unit.choices = unit_choices(active_units(), empty="")
    return _case_action(case_id, form, lambda case, _item: opening_item_add(
        case=case, actor=current_user, name=form.name.data, unit_id=form.unit.data,
        expected_version=_version(form)), need_work=True)


@bp.post("/opening-cases/<int:case_id>/items/<int:item_id>/done")
@role_required(Role.STAFF, Role.ADMIN)
def opening_done(case_id: int, item_id: int):
    form = OpeningItemDoneForm()
    return _case_action(case_id, form, lambda case, item: opening_item_done(
        case=case, item=item, actor=current_user, note=form.note.data,
        expected_version=_version(form)), need_work=False, item_id=item_id)


@bp.post("/opening-cases/<int:case_id>/items/<int:item_id>/remove")
@role_required(Role.STAFF, Role.ADMIN)
def opening_remove(case_id: int, item_id: int):
    form = OpeningItemRemoveForm()
    return _case_action(case_id, form, lambda case, item: opening_item_remove(
        case=case, item=item, actor=current_user, expected_version=_version(form)),
        need_work=True, item_id=item_id)
