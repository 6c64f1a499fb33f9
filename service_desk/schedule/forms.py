"""Schedule forms: shape of the input only (the rules live in schedule/services.py)."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length

from ..base.forms import Form
from .labels import ACTION_LABELS


def int_or_none(value) -> int | None:
    """A whole number, or None for anything else (the rules say what is wrong)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class StatusForm(Form):
    status = RadioField(_l("What happened"),
                        choices=[SelectChoice(s.value, label) for s, label in ACTION_LABELS.items()],
                        validators=[InputRequired(message=_l("Choose what happened."))])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    version = HiddenField()
    submit = SubmitField(_l("Save"))

    def restrict(self, allowed) -> "StatusForm":
        """Offer only the changes allowed from the booking's current status."""
        self.status.choices = [SelectChoice(s.value, ACTION_LABELS[s]) for s in allowed]
        return self


class AssignForm(Form):
    # any id is accepted here: whether that person may take the visit is the service's rule
    assignee = SelectField(_l("Assign to"), coerce=int_or_none, validate_choice=False,
                           validators=[InputRequired(message=_l("Choose a staff member."))])
    version = HiddenField()
    submit = SubmitField(_l("Assign"))

    def offer(self, staff) -> "AssignForm":
        self.assignee.choices = [("", _l("Choose a staff member"))] + [
            (u.id, u.display_name or u.username) for u in staff]
        return self


class PhoneForm(Form):
    submit = SubmitField(_l("Show the full number"))


NEXT_FREE = "next"


class MoveForm(Form):
    """Staff move a booking they cannot keep: the next free time or one of the times shown."""

    when = RadioField(_l("Move to"), validate_choice=False,
                      validators=[InputRequired(message=_l("Choose the new time."))])
    reason = StringField(_l("Reason (the resident reads it in the text)"), validators=[
        DataRequired(message=_l("Give the reason: the resident reads it in the text.")),
        Length(max=200, message=_l("Keep the reason under 200 characters."))])
    version = HiddenField()
    submit = SubmitField(_l("Move the booking and text the resident"))

    def offer(self, times) -> "MoveForm":
        """``times``: (iso value, label) of free times; the next free time comes first."""
        self.when.choices = [SelectChoice(NEXT_FREE, _l("The next free time"))] + [
            SelectChoice(value, label) for value, label in times]
        return self
