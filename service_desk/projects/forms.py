"""Project forms: the shape of the input only (the services check the rules). Choices of
units and leaders are set by the view."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from ..formfields import LocalDateField
from .labels import (
    CATEGORY_LABELS,
    KIND_LABELS,
    ORIGIN_LABELS,
    PRECISION_LABELS,
    RECORD_KIND_LABELS,
    STAGE_LABELS,
)

NOT_STATED = SelectChoice("", _l("Not stated"))


def _choices(labels: dict, blank: bool = True) -> list[SelectChoice]:
    items = [SelectChoice(getattr(k, "value", k), v) for k, v in labels.items()]
    return [NOT_STATED, *items] if blank else items


class VersionedForm(FlaskForm):
    version = HiddenField()

    def validate_version(self, field) -> None:
        """The hidden version must read as a whole number (the service compares it)."""
        if not (field.data or "").isdigit() or len(field.data) > 9:
            raise ValidationError(_l("This form does not carry a version of this project: "
                                     "open the project again and make your change there."))


class ProjectForm(VersionedForm):
    name = StringField(_l("Project name"), validators=[
        DataRequired(message=_l("A project needs a name.")), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Length(max=200)])
    record_kind = SelectField(_l("Kind of record"), choices=_choices(RECORD_KIND_LABELS, False),
                              validate_choice=False)
    investor = StringField(_l("Investor"), validators=[Length(max=200)])
    origin = SelectField(_l("Domestic or foreign"), choices=_choices(ORIGIN_LABELS),
                         validate_choice=False)
    category = SelectField(_l("Category"), choices=_choices(CATEGORY_LABELS),
                           validate_choice=False)
    stage = SelectField(_l("Stage"), choices=_choices(STAGE_LABELS), validate_choice=False)
    total_investment = StringField(_l("Total investment"), render_kw={"inputmode": "decimal"})
    total_investment_currency = StringField(_l("Currency of the investment"),
                                            render_kw={"maxlength": 3, "autocomplete": "off"})
    investment_approximate = BooleanField(_l("The investment is approximate (近…)"))
    registered_capital = StringField(_l("Registered capital"), render_kw={"inputmode": "decimal"})
    registered_capital_currency = StringField(_l("Currency of the capital"),
                                              render_kw={"maxlength": 3, "autocomplete": "off"})
    expected_sales = StringField(_l("Expected sales"), render_kw={"inputmode": "decimal"})
    expected_sales_currency = StringField(_l("Currency of the sales"),
                                          render_kw={"maxlength": 3, "autocomplete": "off"})
    expected_sales_approximate = BooleanField(_l("The expected sales are approximate (近…)"))
    owner_unit_id = SelectField(_l("Responsible unit"), validate_choice=False)
    leader = StringField(_l("District leader in charge (as the source words it)"),
                         validators=[Length(max=100)])
    leader_user_id = SelectField(_l("District leader's account"), validate_choice=False)
    submit = SubmitField(_l("Save project"))

    FIELDS = ("name", "name_en", "record_kind", "investor", "origin", "category", "stage",
              "total_investment", "total_investment_currency", "investment_approximate",
              "registered_capital", "registered_capital_currency", "expected_sales",
              "expected_sales_currency", "expected_sales_approximate", "owner_unit_id",
              "leader", "leader_user_id")

    def changes(self) -> dict:
        return {name: getattr(self, name).data for name in self.FIELDS}


class MilestoneForm(VersionedForm):
    kind = SelectField(_l("Milestone"), choices=_choices(KIND_LABELS, False),
                       validate_choice=False)
    planned_on = LocalDateField(_l("Planned date"))
    precision = SelectField(_l("Planned date is precise to"),
                            choices=_choices(PRECISION_LABELS, False), validate_choice=False)
    actual_on = LocalDateField(_l("Actual date"))
    actual_precision = SelectField(_l("Actual date is precise to"),
                                   choices=_choices(PRECISION_LABELS, False),
                                   validate_choice=False)
    amount = StringField(_l("Amount (funds arrival)"), render_kw={"inputmode": "decimal"})
    currency = StringField(_l("Currency"), render_kw={"maxlength": 3, "autocomplete": "off"})
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Save milestone"))


class TeamMemberForm(VersionedForm):
    unit_id = SelectField(_l("Unit"), validate_choice=False)
    name = StringField(_l("Person (optional)"), validators=[Length(max=100)])
    duty = StringField(_l("Duty (optional)"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Add to the task team"))


class RateForm(FlaskForm):
    currency = StringField(_l("Currency"), render_kw={"maxlength": 3, "autocomplete": "off"},
                           validators=[DataRequired(message=_l("Give a currency, like USD."))])
    rate_to_cny = StringField(_l("Yuan for one unit of the currency"),
                              render_kw={"inputmode": "decimal"},
                              validators=[DataRequired(message=_l("Give the rate, like 6.45."))])
    submit = SubmitField(_l("Set rate"))


class RemoveForm(VersionedForm):
    """Remove a milestone or a team member: the CSRF token and the project's version."""

    submit = SubmitField(_l("Remove"))
