"""Hotline forms: shape of the input only (residents' rules are in bookings/residents.py)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)

from ..catalog.models import SpecialGroup
from ..requests.labels import GROUP_LABELS, REQUEST_TYPE_LABELS


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing (the audit row is the view's)

    phone = StringField(_l("Caller's mobile number"),
                        render_kw={"inputmode": "tel", "autocomplete": "off"})
    submit = SubmitField(_l("Find the caller's requests"))


class CallNoteForm(FlaskForm):
    caller_phone = StringField(_l("Caller's number"), id="call-phone",
                               render_kw={"inputmode": "tel", "autocomplete": "off"})
    caller_name = StringField(_l("Caller's name (optional)"), id="call-name",
                              render_kw={"autocomplete": "off"})
    note = TextAreaField(_l("What the call was about"), id="call-note")
    reference = StringField(_l("Request reference (optional)"), id="call-reference",
                            render_kw={"autocomplete": "off"})
    submit = SubmitField(_l("Save the call note"), id="call-submit")


def group_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("None of these"))] + [
        SelectChoice(g.value, GROUP_LABELS[g]) for g in SpecialGroup
        if g is not SpecialGroup.EVERYONE]


def type_choices() -> list[SelectChoice]:
    return [SelectChoice(t.value, label) for t, label in REQUEST_TYPE_LABELS.items()]


class CallerFields(FlaskForm):
    """Who the caller is; checked by resident_check. ``caller`` is the number of the call in
    progress (the console's), which may differ from the phone of the resident served."""

    name = StringField(_l("Caller's name"), render_kw={"autocomplete": "off"})
    phone = StringField(_l("Caller's mobile number"),
                        render_kw={"inputmode": "tel", "autocomplete": "off"})
    address = StringField(_l("Address"), render_kw={"autocomplete": "off"})
    group = RadioField(_l("Does the caller belong to one of these groups?"), default="",
                       choices=[], validate_choice=False)
    needs = TextAreaField(_l("Special needs (optional)"))
    caller = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = group_choices()

    def limit_groups(self, groups: list[SpecialGroup]) -> None:
        """A service for some groups only: offer just those, none chosen beforehand (never
        preselect an answer the service then refuses)."""
        self.group.choices = [SelectChoice(g.value, GROUP_LABELS[g]) for g in groups]
        if not self.is_submitted() and self.group.data == "":
            self.group.data = None


class BookForm(CallerFields):
    service = HiddenField()
    start = HiddenField()  # ISO 8601, from the times offered
    submit = SubmitField(_l("Book for the caller"))


class ReportForm(CallerFields):
    request_type = RadioField(_l("Type of request"), choices=[], validate_choice=False)
    # the services differ in whom they are for, and none is chosen yet: no group is
    # preselected, on the first showing or after an error (unanswered means "none of these")
    group = RadioField(_l("Does the caller belong to one of these groups?"), default=None,
                       choices=[], validate_choice=False)
    service = RadioField(_l("Which service handles this problem?"), choices=[],
                         validate_choice=False)
    unit = SelectField(_l("Send to unit"), choices=[], validate_choice=False)
    description = TextAreaField(_l("The problem"))
    submit = SubmitField(_l("Report and dispatch"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.request_type.choices = type_choices()
