"""Field-work forms: the shape of the input only (the rules live in fieldwork_services)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..formfields import DATE_MESSAGE, LocalDateField
from .fieldwork_services import VERSION_MESSAGE

# empty difficulty rows on the visit form (more can be added from the project's page)
DIFFICULTY_ROWS = 2


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # no unit has it: the service says "choose the responsible unit"


def unit_choices(units, empty=None) -> list[SelectChoice]:
    """Units as choices; ``empty`` labels a first "none chosen" option."""
    first = [SelectChoice("", empty)] if empty is not None else []
    return first + [SelectChoice(u.id, u.name) for u in units]


class VersionMixin:
    version = HiddenField()

    def validate_version(self, field) -> None:
        try:
            int(field.data or "")
        except ValueError:
            raise ValidationError(str(VERSION_MESSAGE)) from None


class DifficultyRow(Form):
    description = TextAreaField(_l("Difficulty found"), validators=[Length(max=4000)],
                                render_kw={"rows": 2})
    unit = SelectField(_l("Responsible unit"), coerce=_int_or_none, validate_choice=False)
    deadline = LocalDateField(_l("Deadline (a working day)"), validators=[Optional()])


class SiteVisitForm(FlaskForm):
    visited_on = LocalDateField(_l("Date of the visit"),
                                validators=[InputRequired(message=DATE_MESSAGE)])
    units = SelectMultipleField(_l("Units present"), coerce=int, widget=ListWidget(prefix_label=False),
                                option_widget=CheckboxInput(), validate_choice=False)
    progress_seen = TextAreaField(_l("Progress seen"), validators=[
        DataRequired(message=_l("Describe the progress seen.")), Length(max=4000)])
    difficulties = FieldList(FormField(DifficultyRow), min_entries=DIFFICULTY_ROWS,
                             max_entries=10)
    submit = SubmitField(_l("Record the visit"))

    def set_units(self, units) -> None:
        self.units.choices = unit_choices(units)
        for row in self.difficulties:
            row.form.unit.choices = unit_choices(units, empty=_l("Choose a unit"))


class DifficultyCloseForm(VersionMixin, FlaskForm):
    note = TextAreaField(_l("How it was solved"), validators=[
        DataRequired(message=_l("Say how the difficulty was solved: the note is required.")),
        Length(max=4000)])
    submit = SubmitField(_l("Close the difficulty"))


class SiteSelectionForm(FlaskForm):
    deadline = LocalDateField(_l("Answer by (a working day)"), validators=[Optional()])
    note = TextAreaField(_l("The site and what is asked"), validators=[Length(max=4000)])
    submit = SubmitField(_l("Ask the four departments"))


class SiteSelectionAnswerForm(VersionMixin, FlaskForm):
    answer = RadioField(_l("Your department's answer"), choices=[
        SelectChoice("agree", _l("Agree")),
        SelectChoice("problem", _l("There is a problem with the land"))],
        validators=[InputRequired(message=_l("Choose agree or describe the problem with the land."))])
    note = TextAreaField(_l("Note (required for a problem)"), validators=[Length(max=4000)])
    submit = SubmitField(_l("Send the answer"))


class OpeningItemAddForm(VersionMixin, FlaskForm):
    name = StringField(_l("Approval needed to open"), validators=[
        DataRequired(message=_l("Name the approval.")), Length(max=200)])
    unit = SelectField(_l("Granted by"), coerce=_int_or_none, validate_choice=False)
    submit = SubmitField(_l("Add to the checklist"))


class OpeningItemDoneForm(VersionMixin, FlaskForm):
    note = TextAreaField(_l("What was approved"), validators=[
        DataRequired(message=_l("Say what was approved: the note is required.")),
        Length(max=2000)], render_kw={"rows": 2})
    submit = SubmitField(_l("Mark done"))


class OpeningItemRemoveForm(VersionMixin, FlaskForm):
    submit = SubmitField(_l("Remove"))
