"""Closing a day, a range of days or part of a day that has bookings (the catalogue's closure
form posts here): list the bookings overlapping the closed times, let the administrator move or
cancel each, then close and handle them in one transaction (requests.closures). The catalogue
cannot do it itself: it never reads requests."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..base.calendar import local, today
from ..catalog.forms import ClosureForm, closed_when, span_text
from ..catalog.queries import service_by_code
from ..catalog.services import ClosureError, ClosureSpan, closure_add
from ..db import utcnow
from ..extensions import db
from ..permissions import STAFF_ROLES, can_manage_services, require, role_required
from ..requests.closures import (
    CANCEL,
    MOVE,
    NoFreeTime,
    PlanChanged,
    bookings_in,
    closure_with_bookings,
    next_free_time,
)
from ..requests.errors import RequestError
from . import bp


def _preview(service, form: ClosureForm) -> list[dict]:
    """The bookings overlapping the closed times and the next free time each would move to,
    found with the closure in place (added in a savepoint and rolled back: nothing is saved by
    looking)."""
    everyone = form.scope.data == "all"
    nested = db.session.begin_nested()
    try:
        closures, _ = closure_add(service=None if everyone else service, actor=current_user,
                                  reason=form.reason.data, today=today(),
                                  bookings_handled=True, **form.span())
        span = ClosureSpan(closures[0].on_date, closures[-1].on_date, closures[0].starts,
                           closures[0].ends)
        now = utcnow()
        rows = [{"item": b, "start": local(b.starts_at), "service": b.service,
                 "next": next_free_time(b.service, after=b.starts_at, now=now)}
                for b in bookings_in(service_id=None if everyone else service.id, span=span)]
        for row in rows:
            row["next_local"] = local(row["next"].start) if row["next"] else None
        return rows
    finally:
        nested.rollback()


def _decisions(rows: list[dict]) -> dict[str, str]:
    every = request.form.get("every")
    out = {}
    for row in rows:
        ref = row["item"].reference
        out[ref] = every if every in (MOVE, CANCEL) else request.form.get(f"decision-{ref}", "")
    return out


def _page(service, form, rows=None, error=None, status=200):
    when = (span_text(form.on_date.data, form.last_date.data, form.starts.data, form.ends.data)
            if rows else "")
    return render_template("schedule/closure.html", service=service, form=form, rows=rows or [],
                           error=error, chosen=request.form, MOVE=MOVE, CANCEL=CANCEL,
                           when=when), status


@bp.route("/closures/<code>", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def closure(code: str):
    require(can_manage_services(current_user))
    service = service_by_code(code)
    if service is None:
        abort(404)
    form = ClosureForm(prefix="closure")
    if request.method == "GET":
        return _page(service, ClosureForm(formdata=None, prefix="closure"))
    if not form.validate_on_submit():
        return _page(service, form, status=422)
    try:
        rows = _preview(service, form)
    except ClosureError as exc:
        target = form[exc.field] if exc.field and exc.field in form else form.on_date
        target.errors = [*target.errors, str(exc.message)]
        return _page(service, form, status=422)
    if rows and request.form.get("confirm") != "1":
        return _page(service, form, rows)  # look first: nothing is closed yet
    everyone = form.scope.data == "all"
    try:
        outcome = closure_with_bookings(
            service=None if everyone else service, actor=current_user, reason=form.reason.data,
            today=today(), decisions=_decisions(rows), **form.span())
    except ClosureError as exc:
        db.session.rollback()
        return _page(service_by_code(code), form, rows, error=str(exc.message), status=422)
    except (PlanChanged, NoFreeTime, RequestError) as exc:
        db.session.rollback()
        service = service_by_code(code)
        return _page(service, form, _preview(service, form), error=str(exc.message), status=409
                     if isinstance(exc, PlanChanged) else 422)
    when = closed_when(outcome.closures)
    db.session.commit()
    if everyone:
        flash(_("All services are closed on %(date)s.", date=when), "success")
    else:
        flash(_("%(name)s is closed on %(date)s.", name=service.name, date=when), "success")
    if outcome.moved or outcome.cancelled:
        flash(_("%(moved)d bookings moved and %(cancelled)d cancelled; each resident was sent a "
                "text.", moved=len(outcome.moved), cancelled=len(outcome.cancelled)), "success")
    return redirect(url_for("settings.edit", code=code) + "#closures")
