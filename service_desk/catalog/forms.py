"""Service settings forms: shape of the input only (the rules are in services.py).

Times are typed as text (HH:MM, 24-hour clock): native time pickers differ between browsers,
WeChat's included, and are hard to use with large text.
"""
from __future__ import annotations

import datetime as dt
import re

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, StopValidation
from wtforms.widgets import TextInput

from ..formfields import DATE_MESSAGE, LocalDateField
from ..units.models import Unit
from .hours import settings_in_force
from .models import Service, ServiceKind, ServiceLocation
from .queries import WEEKDAY_KEYS, Hours
from .services import (
    MAX_PERIODS,
    RANGES,
    PeriodInput,
    editable_settings,
    hours_errors,
    range_message,
)

TIME_MESSAGE = _l("Enter a time like 09:00 or 13:30 (24-hour clock).")
_TIME = re.compile(r"^\s*(\d{1,2})\s*[:：]\s*(\d{2})\s*$")  # ： is the full-width colon of Chinese IMEs

WEEKDAY_LABELS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
                  _l("Saturday"), _l("Sunday"))
KIND_LABELS = {ServiceKind.APPOINTMENT: _l("Appointment"),
               ServiceKind.DISPATCH: _l("Request dispatched to a unit")}
LOCATION_LABELS = {ServiceLocation.HALL: _l("Government service hall"),
                   ServiceLocation.HOME: _l("Home visit"),
                   ServiceLocation.PARK: _l("Industrial park"),
                   ServiceLocation.PHONE: _l("By phone")}
SETTING_LABELS = {
    "duration_minutes": _l("Slot length (minutes)"),
    "capacity": _l("Bookings per slot"),
    "book_ahead_days": _l("How far ahead residents can book (days)"),
    "min_notice_minutes": _l("Minimum notice before a slot (minutes)"),
    "travel_buffer_minutes": _l("Travel time between two home visits (minutes)"),
    "dispatch_days": _l("Days a unit has to resolve a request"),
    "max_active_per_phone_per_day": _l("Bookings one mobile number may hold per day"),
    "unit": _l("Unit that provides the service"),
    "is_active": _l("Open for bookings and requests"),
}


def parse_hhmm(text: str | None) -> dt.time | None:
    """09:00, 9:00 or 09：00; None when it is not a real time of day."""
    match = _TIME.match(text or "")
    if not match:
        return None
    hour, minute = (int(g) for g in match.groups())
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


class _StopOnBadInput:
    """A value that could not be read gets its one message, not a range error as well."""

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class WholeNumberField(_StopOnBadInput, StringField):
    """A whole number typed as text (no spinner that a scroll wheel can change by accident)."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if raw:
            try:
                self.data = int(raw)
            except ValueError as exc:
                raise ValueError(str(_l("Enter a whole number, like 30."))) from exc

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class TimeTextField(_StopOnBadInput, StringField):
    """HH:MM typed as text; the typed text is shown back when it is wrong."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off",
                                        "size": "5", "maxlength": "8", "class": "time-text"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if raw:
            self.data = parse_hhmm(raw)
            if self.data is None:
                raise ValueError(str(TIME_MESSAGE))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%H:%M") if self.data else ""


def period_field_name(weekday: int, index: int, part: str) -> str:
    return f"{WEEKDAY_KEYS[weekday]}_{index + 1}_{part}"


def _number(name: str) -> WholeNumberField:
    low, high = RANGES[name]
    return WholeNumberField(SETTING_LABELS[name], validators=[
        InputRequired(message=range_message(name)),
        NumberRange(min=low, max=high, message=range_message(name))])


class SettingsForm(FlaskForm):
    """One service's settings and weekly hours; fields that do not apply are removed."""

    unit = SelectField(SETTING_LABELS["unit"],
                       validators=[InputRequired(message=_l("Choose the unit that provides this service."))])
    is_active = BooleanField(SETTING_LABELS["is_active"])
    duration_minutes = _number("duration_minutes")
    capacity = _number("capacity")
    book_ahead_days = _number("book_ahead_days")
    min_notice_minutes = _number("min_notice_minutes")
    travel_buffer_minutes = _number("travel_buffer_minutes")
    dispatch_days = _number("dispatch_days")
    max_active_per_phone_per_day = _number("max_active_per_phone_per_day")
    fingerprint = HiddenField()
    submit = SubmitField(_l("Save the settings and hours"))
    copy_monday_hours = SubmitField(_l("Copy Monday's hours to Tuesday–Friday"))

    def __init__(self, *args, service: Service, units: list[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        self.unit.choices = [SelectChoice("", _l("Choose a unit"))] + [
            SelectChoice(u.code, u.name if u.is_active else _l("%(name)s (inactive)", name=u.name))
            for u in units]
        self.setting_names = editable_settings(service)
        for name in RANGES:
            if name not in self.setting_names:
                del self[name]

    def settings_fields(self):
        return [self[name] for name in self.setting_names]

    def period_fields(self, weekday: int, index: int):
        return (self[period_field_name(weekday, index, "opens")],
                self[period_field_name(weekday, index, "closes")])

    def day_has_errors(self, weekday: int) -> bool:
        return any(f.errors for i in range(MAX_PERIODS) for f in self.period_fields(weekday, i))

    def values(self) -> dict[str, int | None]:
        return {name: self[name].data for name in self.setting_names}

    def periods(self) -> list[PeriodInput]:
        """Every period row whose boxes could be read (unreadable ones already have errors)."""
        out = []
        for weekday in range(7):
            for index in range(MAX_PERIODS):
                opens, closes = self.period_fields(weekday, index)
                if opens.process_errors or closes.process_errors:
                    continue
                out.append(PeriodInput(weekday, index, opens.data, closes.data))
        return out

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for (weekday, index, part), message in hours_errors(self.periods()).items():
            self[period_field_name(weekday, index, part)].errors.append(message)
            ok = False
        return ok

    def long_label(self, field) -> str:
        """"Monday, period 2, closes" for the error summary at the top of the form."""
        meta = PERIOD_FIELDS.get(field.name)
        if meta is None:
            return str(field.label.text)
        weekday, index, part = meta
        return str(_l("%(day)s, period %(n)d, %(part)s", day=WEEKDAY_LABELS[weekday], n=index + 1,
                      part=_l("opens") if part == "opens" else _l("closes")))

    def copy_monday(self, weekdays=range(1, 5)) -> None:
        """Give Tuesday to Friday the periods typed for Monday, as typed (nothing is saved:
        the administrator checks the form and saves it)."""
        for weekday in weekdays:
            for index in range(MAX_PERIODS):
                for source, target in zip(self.period_fields(0, index),
                                          self.period_fields(weekday, index), strict=True):
                    target.data = source.data
                    target.raw_data = list(source.raw_data or [])
                    target.process_errors = list(source.process_errors)

    def fill(self, *, service: Service, unit_code: str | None, hours: Hours,
             fingerprint: str) -> None:
        """The stored state (the values in force where an administrator set none)."""
        in_force = settings_in_force(service)
        for name in self.setting_names:
            self[name].data = in_force[name].value
        self.unit.data = unit_code or ""
        self.is_active.data = bool(service.is_active)
        self.fingerprint.data = fingerprint
        for weekday in range(7):
            day = sorted(hours.get(weekday, []))
            for index in range(MAX_PERIODS):
                opens, closes = self.period_fields(weekday, index)
                opens.data, closes.data = day[index] if index < len(day) else (None, None)


# mon_1_opens … sun_3_closes -> (weekday, index, part)
PERIOD_FIELDS = {period_field_name(w, i, part): (w, i, part)
                 for w in range(7) for i in range(MAX_PERIODS) for part in ("opens", "closes")}
for _name, (_w, _i, _part) in PERIOD_FIELDS.items():
    setattr(SettingsForm, _name, TimeTextField(_l("Opens") if _part == "opens" else _l("Closes")))


class ClosureForm(FlaskForm):
    """A day, a range of days, or the same part of each (the rules: services.closure_span)."""

    on_date = LocalDateField(_l("Date"), validators=[InputRequired(message=DATE_MESSAGE)])
    last_date = LocalDateField(_l("Last day (optional)"))
    starts = TimeTextField(_l("Closed from (optional)"))
    ends = TimeTextField(_l("Closed until (optional)"))
    reason = StringField(_l("Reason"), validators=[
        DataRequired(message=_l("Give the reason for the closure.")),
        Length(max=200, message=_l("Keep the reason under 200 characters."))])
    scope = RadioField(_l("Close"), default="service",
                       choices=[SelectChoice("service", _l("This service only")),
                                SelectChoice("all", _l("All services"))],
                       validators=[InputRequired(message=_l("Choose what to close."))])
    submit = SubmitField(_l("Add the closure"))

    def span(self) -> dict:
        """The keyword arguments closure_add and closure_with_bookings take for the times."""
        return {"on_date": self.on_date.data, "last_date": self.last_date.data,
                "starts": self.starts.data, "ends": self.ends.data}


def closed_when(closures) -> str:
    """"2026-12-10", "2026-12-10 to 2026-12-20", with "13:30–17:00" when part of each day."""
    first, last = closures[0], closures[-1]
    return span_text(first.on_date, last.on_date, first.starts, first.ends)


def span_text(first: dt.date, last: dt.date | None, starts: dt.time | None,
              ends: dt.time | None) -> str:
    days = (first.isoformat() if last is None or first == last
            else gettext("%(first)s to %(last)s", first=first.isoformat(), last=last.isoformat()))
    if starts is None or ends is None:
        return days
    return gettext("%(days)s, %(starts)s–%(ends)s", days=days, starts=f"{starts:%H:%M}",
                   ends=f"{ends:%H:%M}")


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Yes, remove the closure"))


class WhatToBringForm(FlaskForm):
    """What residents should bring: shown when they book and on their confirmation."""

    what_to_bring = TextAreaField(
        _l("What residents should bring"),
        description=_l("For example: identity card, business licence, the application form. "
                       "Shown when residents book and on their confirmation. Leave it empty "
                       "when nothing is needed (1000 characters at most)."),
        render_kw={"rows": "4", "maxlength": "1000"})
    submit = SubmitField(_l("Save what to bring"))
