"""Ledger forms: shape of the input only."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from ..formfields import DATE_MESSAGE, LocalDateField
from .models import MatterStatus
from .services import VERSION_MESSAGE

STATUS_LABELS = {
    MatterStatus.NOT_STARTED: _l("Not started"),
    MatterStatus.IN_PROGRESS: _l("In progress"),
    MatterStatus.COMPLETED: _l("Completed"),
}


class MatterUpdateForm(FlaskForm):
    status = RadioField(_l("Status"), choices=[SelectChoice(s.value, STATUS_LABELS[s]) for s in MatterStatus],
                        validators=[InputRequired(message=_l("Choose a status."))])
    progress = IntegerField(
        _l("Progress (%)"),
        validators=[InputRequired(message=_l("Enter progress as a whole number from 0 to 100.")),
                    NumberRange(min=0, max=100,
                                message=_l("Progress must be a whole number from 0 to 100."))],
        render_kw={"inputmode": "numeric"},
    )
    note = TextAreaField(_l("What was done"),
                         validators=[DataRequired(message=_l("Say what was done: the note is required.")),
                                     Length(max=4000)])
    is_public = BooleanField(_l("Show this note on the public progress board"))
    evidence = FileField(_l("Evidence (optional)"), render_kw={"accept": ".jpg,.jpeg,.png,.pdf"})
    version = HiddenField()
    submit = SubmitField(_l("Save update"))

    def validate_version(self, field) -> None:
        """The hidden version must read as a whole number (the service checks its range)."""
        try:
            int(field.data or 0)
        except ValueError:
            raise ValidationError(str(VERSION_MESSAGE)) from None


class ExtensionForm(FlaskForm):
    requested_deadline = LocalDateField(_l("New deadline"),
                                        validators=[InputRequired(message=DATE_MESSAGE)])
    reason = TextAreaField(_l("Reason"), validators=[
        DataRequired(message=_l("Give the reason for the extension.")), Length(max=2000)])
    submit = SubmitField(_l("Ask for an extension"))
