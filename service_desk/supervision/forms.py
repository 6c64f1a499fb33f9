"""Supervision forms: shape of the input only. Dates are the shared LocalDateField (a date
input, typed text read in the common shapes where the browser has none; its hint shows how)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from ..formfields import DATE_MESSAGE, LocalDateField


class NoticeForm(FlaskForm):
    unit = SelectField(_l("Send to unit"), validators=[InputRequired(message=_l("Choose a unit."))])
    body = TextAreaField(_l("What the unit must do"),
                         validators=[DataRequired(message=_l("Write what the unit must do.")),
                                     Length(max=4000)])
    reply_due = LocalDateField(_l("Reply by"), validators=[InputRequired(message=DATE_MESSAGE)])
    submit = SubmitField(_l("Issue the notice"))


class ReplyForm(FlaskForm):
    reply = TextAreaField(_l("Your reply"),
                          validators=[DataRequired(message=_l("Write your reply.")), Length(max=4000)])
    submit = SubmitField(_l("Send the reply"))


class DecisionForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[SelectChoice("approve", _l("Approve")),
                                                   SelectChoice("refuse", _l("Refuse"))],
                          validators=[InputRequired(message=_l("Choose approve or refuse."))])
    decision_reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(message=_l("Give the reason for your decision.")),
                                  Length(max=2000)])
    submit = SubmitField(_l("Record the decision"))
