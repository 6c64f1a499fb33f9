"""Supervisors' pages: overdue board, unit scorecard, notices, extension decisions."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import Role
from ..base.calendar import local, local_day, today
from ..base.paging import page_arg
from ..db import utcnow
from ..exporting import csv_response
from ..extensions import db
from ..matters.models import DeadlineExtension, Matter
from ..matters.queries import matter_detail
from ..matters.services import MatterError, extension_decide
from ..permissions import (
    STAFF_ROLES,
    can_reply_notice,
    can_supervise,
    can_view_notice,
    can_view_project,
    require,
    role_required,
)
from ..projects.labels import KIND_LABELS as MILESTONE_LABELS
from ..projects.labels import date_at
from ..projects.queries import project_by_code
from ..ratings.labels import LEVEL_LABELS
from ..rectifications.labels import STATUS_LABELS as RECT_STATUS_LABELS
from ..rectifications.queries import rectifications_due
from ..requests.overdue import overdue_requests
from . import bp
from .forms import DecisionForm, NoticeForm, ReplyForm
from .queries import (
    NOTICE_STATES,
    SCORE_SORTS,
    board_groups,
    board_summary,
    extensions_page,
    notice_detail,
    notice_issuer,
    notice_projects,
    notices_page,
    overdue_board,
    project_notice_units,
    projects_overdue,
    unit_scorecard,
)
from .services import (
    NoticeState,
    notice_issue,
    notice_issue_project,
    notice_number,
    notice_reply,
    notice_state,
)

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)
BOARD_PAGE = 100
ALL = 10**6  # a CSV export has every row on one page


def _include_demo() -> bool:
    """``?demo=1``: a supervisor asked to see demo and test data counted (never by default)."""
    return request.args.get("demo") == "1"


def _window() -> int:
    days = request.args.get("days", type=int)
    default = current_app.config["DUE_SOON_DAYS"]
    return days if days is not None and 1 <= days <= 90 else default


@bp.get("/")
@role_required(*SUPERVISORS)
def board():
    days = _window()
    if request.args.get("format") == "csv" and request.args.get("section") == "rectifications":
        return _rectifications_csv(days)
    if request.args.get("format") == "csv":
        rows = overdue_board(today=today(), days=days, page=1, per_page=ALL,
                             include_demo=_include_demo()).items
        return csv_response(_("overdue-board.csv"), [
            _("Lead unit"), _("Number"), _("Item"), _("Deadline"), _("Days overdue"),
            _("Progress"), _("Last update"), _("Open notices")],
            ([r.matter.lead_unit.name if r.matter.lead_unit else "", r.matter.number,
              r.matter.title, r.matter.deadline.isoformat(), r.days_overdue, r.matter.progress,
              local(r.last_update_at).strftime("%Y-%m-%d %H:%M") if r.last_update_at else "",
              r.open_notices] for r in rows))
    demo = _include_demo()
    page = overdue_board(today=today(), days=days, page=page_arg(), per_page=BOARD_PAGE,
                         include_demo=demo)
    return render_template("supervision/board.html", page=page, days=days, today=today(),
                           groups=board_groups(page.items), include_demo=demo,
                           summary=board_summary(today=today(), days=days, include_demo=demo),
                           now=utcnow(), overdue_requests=overdue_requests(now=utcnow()),
                           rectifications=rectifications_due(now=utcnow(), days=days),
                           projects_overdue=projects_overdue(today=today()),
                           milestone_labels=MILESTONE_LABELS, milestone_date=date_at,
                           level_labels=LEVEL_LABELS)


def _rectifications_csv(days: int):
    """The board's rectifications of bad ratings (late or due within the window), by unit."""
    due = rectifications_due(now=utcnow(), days=days, limit=ALL)
    return csv_response(_("overdue-rectifications.csv"), [
        _("Unit"), _("Request"), _("Service"), _("Rating"), _("Deadline"), _("Days overdue"),
        _("Called back"), _("Status")],
        ([r.unit or "", r.reference, r.service, str(LEVEL_LABELS[r.level]),
          local(r.due_at).strftime("%Y-%m-%d %H:%M"), r.days_overdue,
          _("Yes") if r.called_back else _("Not yet"), str(RECT_STATUS_LABELS[r.status])]
         for r in due.rows))


@bp.get("/units")
@role_required(*SUPERVISORS)
def scorecard():
    sort = request.args.get("sort", "overdue")
    sort = sort if sort in SCORE_SORTS else "overdue"
    days = current_app.config["DUE_SOON_DAYS"]
    demo = _include_demo()
    scores = unit_scorecard(today=today(), due_soon_days=days, sort=sort, include_demo=demo)
    if request.args.get("format") == "csv":
        return csv_response(_("unit-scorecard.csv"), [
            _("Unit"), _("Items"), _("Completed"), _("Completed on time"), _("Overdue"),
            _("Due soon"), _("Extension requests"), _("Pending extension requests")],
            ([s.unit.name, s.items, s.completed, s.on_time, s.overdue, s.due_soon, s.extensions,
              s.extensions_pending] for s in scores))
    return render_template("supervision/scorecard.html", scores=scores, sort=sort, sorts=SCORE_SORTS,
                           days=days, include_demo=demo)


@bp.get("/notices")
@role_required(*STAFF_ROLES)
def notices():
    supervising = can_supervise(current_user)
    if not supervising and current_user.role is not Role.STAFF:
        abort(403)
    state = request.args.get("state")
    state = state if state in NOTICE_STATES else None
    unit_id = None if supervising else current_user.unit_id
    per_page = current_app.config["PAGE_SIZE"]
    if request.args.get("format") == "csv" and supervising:
        page = notices_page(today=today(), state=state, unit_id=None, page=1, per_page=ALL)
        projects = notice_projects(page.items)
        return csv_response(_("supervision-notices.csv"), [
            _("Notice number"), _("Number"), _("Item"), _("Unit"), _("Issued"),
            _("What the unit must do"), _("Reply by"), _("State"), _("Reply")],
            ([notice_number(n), *_target_cells(n, projects), n.unit.name,
              local(n.issued_at).strftime("%Y-%m-%d"),
              n.body, n.reply_due.isoformat(), _state_label(notice_state(n, today())),
              n.reply or ""]
             for n in page.items))
    page = notices_page(today=today(), state=state, unit_id=unit_id, page=page_arg(), per_page=per_page)
    return render_template("supervision/notices.html", page=page, state=state, today=today(),
                           notice_state=notice_state, state_label=_state_label,
                           supervising=supervising, notice_number=notice_number,
                           projects=notice_projects(page.items))


def _target_cells(notice, projects) -> tuple[str, str]:
    """The CSV's number and item columns: the item's, or the key project's code and name."""
    if notice.matter is not None:
        return notice.matter.number, notice.matter.title
    project = projects[notice.project_id]
    return project.code, project.name


def _state_label(state: NoticeState) -> str:
    return {NoticeState.OPEN: _("Open"), NoticeState.REPLIED: _("Replied"),
            NoticeState.LATE: _("Late")}[state]


def _notice_project(notice):
    """The key project a notice targets, and whether this user may open its page."""
    project = notice_projects([notice]).get(notice.project_id)
    return project, project is not None and can_view_project(current_user, project)


def _notice_page(notice, form=None, status=200):
    project, project_link = _notice_project(notice)
    return render_template(
        "supervision/notice.html", notice=notice, state=notice_state(notice, today()),
        project=project, project_link=project_link,
        state_label=_state_label, number=notice_number(notice), form=form if form is not None else (
            ReplyForm() if can_reply_notice(current_user, notice) and notice.replied_at is None
            else None),
    ), status


@bp.get("/notices/<int:notice_id>")
@role_required(*STAFF_ROLES)
def notice(notice_id: int):
    found = notice_detail(notice_id)
    if found is None:
        abort(404)
    require(can_view_notice(current_user, found))
    return _notice_page(found)


@bp.get("/notices/<int:notice_id>/document")
@role_required(*STAFF_ROLES)
def notice_document(notice_id: int):
    """The notice as a document to print on A4 (an internal page: it names the issuer's role
    and unit)."""
    found = notice_detail(notice_id)
    if found is None:
        abort(404)
    require(can_view_notice(current_user, found))
    return render_template("supervision/notice_document.html", notice=found,
                           project=_notice_project(found)[0],
                           number=notice_number(found), issuer=notice_issuer(found),
                           issued_on=local_day(found.issued_at),
                           state=notice_state(found, today()), state_label=_state_label)


@bp.post("/notices/<int:notice_id>/reply")
@role_required(Role.STAFF)
def reply(notice_id: int):
    found = notice_detail(notice_id)
    if found is None:
        abort(404)
    require(can_reply_notice(current_user, found))
    form = ReplyForm()
    if not form.validate_on_submit():
        return _notice_page(found, form, 422)
    try:
        notice_reply(notice=found, matter=found.matter, actor=current_user, reply=form.reply.data)
    except MatterError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("supervision.notice", notice_id=notice_id))
    db.session.commit()
    flash(_("Your reply was sent."), "success")
    return redirect(url_for("supervision.notice", notice_id=notice_id))


def _notice_form(units, preselect: str | None, formdata: bool) -> NoticeForm:
    """The notice form offering ``units``; ``preselect`` (a unit code) chosen when it opens."""
    form = NoticeForm() if formdata else NoticeForm(formdata=None)
    choices = [(u.code, u.name) for u in units if u is not None]
    # a required <select> opens on an empty choice (HTML's rule); the likely unit is preselected
    form.unit.choices = [("", _("Choose a unit")), *choices] if choices else []
    if not formdata and preselect in {code for code, _name in choices}:
        form.unit.data = preselect
    return form


def _issue(form: NoticeForm, units, issue, page: dict):
    """GET shows the form; a valid POST issues through ``issue(unit, body, reply_due)`` and
    opens the notice; errors come back beside their fields (422)."""
    if request.method == "POST":
        if form.validate_on_submit():
            unit = next(u for u in units if u is not None and u.code == form.unit.data)
            try:
                created = issue(unit, form.body.data, form.reply_due.data)
            except MatterError as exc:
                db.session.rollback()
                if exc.field and exc.field in form:
                    form[exc.field].errors = [*form[exc.field].errors, str(exc.message)]
            else:
                db.session.commit()
                flash(_("The supervision notice was issued to %(unit)s.", unit=unit.name), "success")
                return redirect(url_for("supervision.notice", notice_id=created.id))
        return render_template("supervision/notice_new.html", form=form, **page), 422
    return render_template("supervision/notice_new.html", form=form, **page)


@bp.route("/matters/<number>/notice", methods=["GET", "POST"])
@role_required(*SUPERVISORS)
def notice_new(number: str):
    matter = matter_detail(number)
    if matter is None:
        abort(404)
    units = [matter.lead_unit, *matter.co_units]
    form = _notice_form(units, matter.lead_unit.code if matter.lead_unit else None,
                        formdata=request.method == "POST")
    if not form.unit.choices:
        flash(_("This item has no responsible unit to send a notice to."), "error")
        return redirect(url_for("matters.detail", number=number))
    return _issue(form, units, lambda unit, body, due: notice_issue(
        matter=matter, unit=unit, actor=current_user, body=body, reply_due=due),
        {"target": f"{matter.number} {matter.title}", "back_label": _("Back to the item"),
         "back_url": url_for("matters.detail", number=matter.number)})


@bp.route("/projects/<code>/notice", methods=["GET", "POST"])
@role_required(*SUPERVISORS)
def project_notice_new(code: str):
    """A notice on a key project, from the overdue board's row: ``?unit=`` preselects the
    unit the late item waits on, else the project's owner unit."""
    project = project_by_code(code)
    if project is None:
        abort(404)
    require(can_view_project(current_user, project))
    units = project_notice_units(project)
    wanted = request.args.get("unit")
    if wanted not in {u.code for u in units}:
        wanted = project.owner_unit.code if project.owner_unit else None
    form = _notice_form(units, wanted, formdata=request.method == "POST")
    if not form.unit.choices:
        flash(_("This project has no responsible unit to send a notice to."), "error")
        return redirect(url_for("projects.detail", code=code))
    return _issue(form, units, lambda unit, body, due: notice_issue_project(
        project=project, unit=unit, actor=current_user, body=body, reply_due=due, today=today()),
        {"target": _("Key project %(code)s %(name)s", code=project.code, name=project.name),
         "back_label": _("Back to the project"),
         "back_url": url_for("projects.detail", code=project.code)})


def _extensions_page(submitted: DecisionForm | None = None, submitted_id: int | None = None,
                     status: int = 200):
    page = extensions_page(page=page_arg(), per_page=current_app.config["PAGE_SIZE"])
    forms = {e.id: DecisionForm(prefix=f"e{e.id}", formdata=None) for e in page.items}
    if submitted is not None:
        forms[submitted_id] = submitted
    return render_template("supervision/extensions.html", page=page, forms=forms), status


@bp.get("/extensions")
@role_required(*SUPERVISORS)
def extensions():
    if request.args.get("format") == "csv":
        everything = extensions_page(page=1, per_page=ALL).items
        labels = {"pending": _("Waiting"), "approved": _("Approved"), "refused": _("Refused")}
        return csv_response(_("extension-requests.csv"), [
            _("Number"), _("Item"), _("Unit"), _("Current deadline"), _("Requested deadline"),
            _("Reason"), _("Decision"), _("Reason for the decision")],
            ([e.matter.number, e.matter.title, e.unit.name if e.unit else "",
              e.current_deadline.isoformat() if e.current_deadline else "",
              e.requested_deadline.isoformat(), e.reason, labels[e.status.value],
              e.decision_reason or ""] for e in everything))
    return _extensions_page()


@bp.post("/extensions/<int:extension_id>/decide")
@role_required(*SUPERVISORS)
def decide(extension_id: int):
    extension = db.session.get(DeadlineExtension, extension_id)
    if extension is None:
        abort(404)
    form = DecisionForm(prefix=f"e{extension_id}")
    if not form.validate_on_submit():
        return _extensions_page(form, extension_id, 422)
    matter = db.session.get(Matter, extension.matter_id)
    try:
        extension_decide(extension=extension, matter=matter, actor=current_user,
                         approve=form.decision.data == "approve", reason=form.decision_reason.data)
    except MatterError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("supervision.extensions"))
    db.session.commit()
    flash(_("The decision on %(number)s was recorded.", number=matter.number), "success")
    return redirect(url_for("supervision.extensions"))
