"""The catalogue's admin pages (blueprint ``settings``, kept from when they lived apart):
administrators edit each service's booking rules, hours and closures."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..base.calendar import today
from ..extensions import db
from ..formfields import DATE_MESSAGE, parse_local_date
from ..permissions import STAFF_ROLES, can_manage_services, require, role_required
from .forms import (
    KIND_LABELS,
    LOCATION_LABELS,
    WEEKDAY_LABELS,
    ClosureForm,
    ConfirmForm,
    SettingsForm,
    WhatToBringForm,
    closed_when,
)
from .hall_info import HallInfoError, what_to_bring_save
from .hours import settings_in_force
from .models import Closure
from .queries import (
    PREVIEW_DAYS,
    WEEKDAY_KEYS,
    calendar_preview,
    closures_between,
    fingerprint,
    hours_of,
    service_by_code,
    services_list,
    snapshot,
    units_for_choice,
    upcoming_closures,
)
from .services import (
    MAX_PERIODS,
    ClosureError,
    SettingsError,
    StaleSettings,
    closure_add,
    closure_remove,
    service_settings_save,
)

bp = Blueprint("settings", __name__, url_prefix="/admin/services", template_folder="templates")

PREVIEW_RANGE_DAYS = 3 * 366


def _admin_only() -> None:
    require(can_manage_services(current_user))


def _service_or_404(code: str):
    service = service_by_code(code)
    if service is None:
        abort(404)
    return service


def _language() -> str:
    return "zh_CN" if str(get_locale()).startswith("zh") else "en_US"


def _stored(service) -> tuple[dict, dict]:
    hours = hours_of(service.id)
    state = snapshot(service, unit_code=service.unit.code if service.unit else None, hours=hours)
    return hours, state


def _fresh_form(service, units, hours, state) -> SettingsForm:
    form = SettingsForm(formdata=None, service=service, units=units)
    form.fill(service=service, unit_code=state["unit"], hours=hours,
              fingerprint=fingerprint(state))
    return form


def _render(service, *, form: SettingsForm | None = None, closure_form: ClosureForm | None = None,
            stale: list | None = None, status: int = 200,
            bring_form: WhatToBringForm | None = None, copied: bool = False):
    units = units_for_choice()
    hours, state = _stored(service)
    if form is None:
        form = _fresh_form(service, units, hours, state)
    on = today()
    preview_text = request.args.get("from", "").strip()
    preview_from, preview_error = _preview_start(preview_text, on)
    last = preview_from + dt.timedelta(days=PREVIEW_DAYS - 1)
    preview = calendar_preview(
        hours=hours, closures=closures_between(service.id, preview_from, last),
        first=preview_from, language=_language())
    return render_template(
        "settings/edit.html", service=service, form=form,
        closure_form=closure_form or ClosureForm(formdata=None, prefix="closure"),
        closures=upcoming_closures(service.id, today=on), preview=preview,
        preview_from=preview_from, preview_last=last, preview_text=preview_text,
        preview_error=preview_error, preview_days=PREVIEW_DAYS, stale=stale or [],
        in_force_now=settings_in_force(service), copied=copied,
        weekdays=WEEKDAY_LABELS, periods=range(MAX_PERIODS), kinds=KIND_LABELS,
        locations=LOCATION_LABELS,
        bring_form=bring_form or WhatToBringForm(
            formdata=None, prefix="bring", what_to_bring=service.what_to_bring),
    ), status


def _preview_start(text: str, on: dt.date) -> tuple[dt.date, str | None]:
    """The preview's first day: today, or a date typed within three years of it."""
    if not text:
        return on, None
    chosen = parse_local_date(text)
    if chosen is None:
        return on, str(DATE_MESSAGE)
    if abs((chosen - on).days) > PREVIEW_RANGE_DAYS:
        return on, _("Choose a date within three years of today.")
    return chosen, None


@bp.get("")
@role_required(*STAFF_ROLES)
def index():
    _admin_only()
    rows = services_list()
    return render_template("settings/index.html", rows=rows, kinds=KIND_LABELS,
                           locations=LOCATION_LABELS,
                           in_force_of={r.service.id: settings_in_force(r.service) for r in rows})


@bp.get("/<code>")
@role_required(*STAFF_ROLES)
def edit(code: str):
    _admin_only()
    return _render(_service_or_404(code))


@bp.post("/<code>")
@role_required(*STAFF_ROLES)
def save(code: str):
    _admin_only()
    service = _service_or_404(code)
    units = units_for_choice()
    form = SettingsForm(service=service, units=units)
    if form.copy_monday_hours.data:
        # a second submit button, so it works without JavaScript; nothing is saved yet
        form.copy_monday()
        return _render(service, form=form, copied=True)
    if not form.validate_on_submit():
        return _render(service, form=form, status=422)
    unit = next((u for u in units if u.code == form.unit.data), None)
    try:
        changed = service_settings_save(
            service=service, actor=current_user, expected_fingerprint=form.fingerprint.data or "",
            unit=unit, is_active=form.is_active.data, values=form.values(),
            periods=form.periods())
    except StaleSettings:
        db.session.rollback()
        service = _service_or_404(code)
        hours, state = _stored(service)
        fresh = _fresh_form(service, units, hours, state)
        return _render(service, form=fresh, stale=_differences(form, fresh), status=409)
    except SettingsError as exc:
        # the form checks the same rules, so this is a caller that skipped them
        db.session.rollback()
        service = _service_or_404(code)
        for key, message in exc.errors.items():
            name = key if isinstance(key, str) else f"{WEEKDAY_KEYS[key[0]]}_{key[1] + 1}_{key[2]}"
            if name in form:
                form[name].errors = [*form[name].errors, message]
        return _render(service, form=form, status=422)
    db.session.commit()
    if changed:
        flash(_("The settings of %(name)s were saved.", name=service.name), "success")
    else:
        flash(_("Nothing was changed: the form was saved as it was."), "success")
    return redirect(url_for("settings.edit", code=code))


@bp.post("/<code>/what-to-bring")
@role_required(*STAFF_ROLES)
def what_to_bring(code: str):
    _admin_only()
    service = _service_or_404(code)
    form = WhatToBringForm(prefix="bring")
    if not form.validate_on_submit():
        return _render(service, bring_form=form, status=422)
    try:
        changed = what_to_bring_save(service=service, text=form.what_to_bring.data,
                                     actor=current_user)
    except HallInfoError as exc:
        db.session.rollback()
        form.what_to_bring.errors = [str(exc.message)]
        return _render(_service_or_404(code), bring_form=form, status=422)
    db.session.commit()
    flash(_("What to bring for %(name)s was saved.", name=service.name) if changed
          else _("Nothing was changed: the form was saved as it was."), "success")
    return redirect(url_for("settings.edit", code=code) + "#bring")


def _differences(submitted: SettingsForm, current: SettingsForm) -> list[dict]:
    """What the other person's save changed, next to what this administrator typed."""
    out = []
    for name in [*current.setting_names, "unit", "is_active"]:
        theirs, mine = current[name], submitted[name]
        if theirs.data != mine.data:
            out.append({"label": str(theirs.label.text),
                        "current": _shown(theirs), "yours": _shown(mine)})
    for weekday in range(7):
        now_ = _day_text(current, weekday)
        typed = _day_text(submitted, weekday)
        if now_ != typed:
            out.append({"label": str(WEEKDAY_LABELS[weekday]), "current": now_, "yours": typed})
    return out


def _shown(field) -> str:
    if field.type == "BooleanField":
        return _("yes") if field.data else _("no")
    if field.type == "SelectField":
        return next((str(c.label) for c in field.choices if c.value == field.data),
                    field.data or "—")
    return "—" if field.data is None else str(field.data)


def _day_text(form: SettingsForm, weekday: int) -> str:
    periods = sorted((opens.data, closes.data) for opens, closes in
                     (form.period_fields(weekday, i) for i in range(MAX_PERIODS))
                     if opens.data is not None and closes.data is not None)
    return ", ".join(f"{o:%H:%M}–{c:%H:%M}" for o, c in periods) or _("closed")


@bp.post("/<code>/closures")
@role_required(*STAFF_ROLES)
def closure_new(code: str):
    _admin_only()
    service = _service_or_404(code)
    form = ClosureForm(prefix="closure")
    if not form.validate_on_submit():
        return _render(service, closure_form=form, status=422)
    everyone = form.scope.data == "all"
    try:
        # a day with bookings is refused here: the schedule's closure page handles them
        closures, _taken = closure_add(service=None if everyone else service,
                                       actor=current_user, reason=form.reason.data,
                                       today=today(), **form.span())
    except ClosureError as exc:
        db.session.rollback()
        service = _service_or_404(code)
        target = form[exc.field] if exc.field and exc.field in form else form.on_date
        target.errors = [*target.errors, str(exc.message)]
        return _render(service, closure_form=form, status=422)
    when = closed_when(closures)
    db.session.commit()
    if everyone:
        flash(_("All services are closed on %(date)s.", date=when), "success")
    else:
        flash(_("%(name)s is closed on %(date)s.", name=service.name, date=when), "success")
    return redirect(url_for("settings.edit", code=code) + "#closures")


def _closure_or_404(service, closure_id: int) -> Closure:
    closure = db.session.get(Closure, closure_id)
    if closure is None or closure.service_id not in (None, service.id):
        abort(404)
    return closure


@bp.route("/<code>/closures/<int:closure_id>/remove", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def closure_delete(code: str, closure_id: int):
    _admin_only()
    service = _service_or_404(code)
    closure = _closure_or_404(service, closure_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            closure_remove(closure=closure, service=service, actor=current_user, today=today())
        except ClosureError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            return redirect(url_for("settings.edit", code=code) + "#closures")
        db.session.commit()
        flash(_("The closure was removed: the day is open again."), "success")
        return redirect(url_for("settings.edit", code=code) + "#closures")
    return render_template("settings/closure_remove.html", service=service, closure=closure,
                           form=form), 422 if request.method == "POST" else 200
