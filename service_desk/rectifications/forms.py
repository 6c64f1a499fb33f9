"""Rectification forms: shape of the input only (the rules are in ratings/services.py).

Several forms share the detail page, so each field gets its own id; the names stay plain.
Required notes are checked by the service, so the page and any other caller say the same.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..ratings.models import RectificationStatus
from ..ratings.services import NOTE_MAX
from .labels import OUTCOME_LABELS

TEXT_MAX = Length(max=NOTE_MAX, message=_l("Please keep this to %(n)d characters or fewer.",
                                            n=NOTE_MAX))


class StepForm(FlaskForm):
    version = HiddenField()


class CallbackForm(StepForm):
    note = TextAreaField(_l("What the resident said on the call-back"), id="callback-note",
                         validators=[TEXT_MAX])
    submit = SubmitField(_l("Record the call-back"), id="callback-submit")


class CloseForm(StepForm):
    outcome = RadioField(
        _l("How did it end?"), id="close-outcome", validate_choice=False,
        choices=[SelectChoice(s.value, label) for s, label in OUTCOME_LABELS.items()])
    note = TextAreaField(_l("What the unit did, or why it cannot be fixed"), id="close-note",
                         validators=[TEXT_MAX])
    submit = SubmitField(_l("Close the rectification"), id="close-submit")


class AppealForm(StepForm):
    reason = TextAreaField(_l("Why is the rating mistaken or malicious?"), id="appeal-reason",
                           validators=[TEXT_MAX])
    submit = SubmitField(_l("Appeal to a supervisor"), id="appeal-submit")


class DecideForm(StepForm):
    decision = RadioField(
        _l("Decision"), id="decide-decision", validate_choice=False,
        validators=[InputRequired(_l("Choose whether to uphold or reject the appeal."))],
        choices=[SelectChoice("uphold", _l("Uphold: leave the rating out of the figures")),
                 SelectChoice("reject", _l("Reject: the unit rectifies as before"))])
    reason = TextAreaField(_l("Reason for the decision"), id="decide-reason",
                           validators=[TEXT_MAX])
    submit = SubmitField(_l("Record the decision"), id="decide-submit")


STEPS: dict[str, type[StepForm]] = {
    "callback": CallbackForm,
    "close": CloseForm,
    "appeal": AppealForm,
    "decide": DecideForm,
}


class PhoneForm(FlaskForm):
    submit = SubmitField(_l("Show full number"))


OUTCOMES = {s.value: s for s in (RectificationStatus.FIXED, RectificationStatus.EXPLAINED)}
