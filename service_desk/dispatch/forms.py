"""Lifecycle forms: shape of the input only (the rules are in bookings/dispatch.py).

Several forms share one page, so each field gets its own id; the names stay plain.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import Length

from ..requests.labels import SATISFACTION_LABELS
from ..requests.lifecycle import Action
from ..requests.models import Satisfaction

TEXT_MAX = Length(max=4000, message=_l("Please keep this to 4000 characters or fewer."))


class ActionForm(FlaskForm):
    version = HiddenField()


class AcceptForm(ActionForm):
    note = TextAreaField(_l("Note (optional)"), id="accept-note", validators=[TEXT_MAX])
    submit = SubmitField(_l("Accept"), id="accept-submit")


class HandleForm(ActionForm):
    note = TextAreaField(_l("What was done"), id="handle-note", validators=[TEXT_MAX])
    submit = SubmitField(_l("Add the note"), id="handle-submit")


class ResolveForm(ActionForm):
    reply = TextAreaField(_l("Reply to the resident"), id="resolve-reply", validators=[TEXT_MAX])
    submit = SubmitField(_l("Resolve and send the reply"), id="resolve-submit")


class ReturnForm(ActionForm):
    reason = TextAreaField(_l("Why is this request not for your unit?"), id="return-reason",
                           validators=[TEXT_MAX])
    submit = SubmitField(_l("Return the request"), id="return-submit")


class ReassignForm(ActionForm):
    unit = SelectField(_l("Send to unit"), id="reassign-unit", choices=[], validate_choice=False)
    note = TextAreaField(_l("Note for the unit (optional)"), id="reassign-note",
                         validators=[TEXT_MAX])
    submit = SubmitField(_l("Reassign"), id="reassign-submit")


class CallbackForm(ActionForm):
    satisfaction = RadioField(
        _l("What did the resident say about the result?"), id="callback-satisfaction",
        choices=[SelectChoice(s.value, SATISFACTION_LABELS[s]) for s in Satisfaction], validate_choice=False)
    note = TextAreaField(_l("Notes from the call"), id="callback-note", validators=[TEXT_MAX])
    submit = SubmitField(_l("Record the call-back"), id="callback-submit")


FORMS: dict[Action, type[ActionForm]] = {
    Action.ACCEPT: AcceptForm,
    Action.HANDLE: HandleForm,
    Action.RESOLVE: ResolveForm,
    Action.RETURN: ReturnForm,
    Action.REASSIGN: ReassignForm,
    Action.CALLBACK: CallbackForm,
}

# the order the forms appear on the page
ORDER = (Action.ACCEPT, Action.HANDLE, Action.RESOLVE, Action.RETURN, Action.REASSIGN,
         Action.CALLBACK)


class PhoneForm(FlaskForm):
    submit = SubmitField(_l("Show full number"))
