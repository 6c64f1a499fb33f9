"""Account forms for administrators: shape of the input only. The rules (the password rule,
a staff account's unit, the mail and mobile checks) are the accounts service's."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from ..accounts.labels import ROLE_LABELS
from ..accounts.models import Role

ROLE_CHOICES = [SelectChoice(role.value, ROLE_LABELS[role]) for role in Role]


class _Details(FlaskForm):
    """What an administrator sets on any account."""

    display_name = StringField(_l("Display name"),
                               validators=[Length(max=100, message=_l("100 characters at most."))])
    # the service refuses an unknown role or unit in words; a bare "not a valid choice"
    # from the field would not be translated
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validate_choice=False)
    unit = SelectField(_l("Unit"), choices=[], validate_choice=False)
    email = StringField(_l("Mail address"),
                        render_kw={"type": "email", "autocomplete": "off", "spellcheck": "false",
                                   "maxlength": "255"})
    mobile = StringField(_l("Mobile number"),
                         render_kw={"type": "tel", "inputmode": "tel", "autocomplete": "off",
                                    "maxlength": "20"})


class _NewPassword(FlaskForm):
    """Type a password twice, or tick "generate" and have one shown once."""

    generate = BooleanField(_l("Generate a password for me (shown once after saving)"))
    password = PasswordField(_l("Password"), render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Password again"), render_kw={"autocomplete": "new-password"})

    def validate_password(self, field) -> None:
        if not self.generate.data and not field.data:
            raise ValidationError(_l("Enter a password, or tick “Generate a password for me”."))

    def validate_confirm(self, field) -> None:
        if not self.generate.data and self.password.data and field.data != self.password.data:
            raise ValidationError(_l("The two passwords are not the same."))


class AccountCreateForm(_Details, _NewPassword):
    username = StringField(_l("Username"),
                           validators=[DataRequired(message=_l("Enter a username.")),
                                       Length(max=64, message=_l("64 characters at most."))],
                           render_kw={"autocomplete": "off", "autocapitalize": "none",
                                      "spellcheck": "false", "maxlength": "64"})
    submit = SubmitField(_l("Create the account"))


class AccountEditForm(_Details):
    # the account's details as the form was opened with (accounts.services.account_fingerprint)
    fingerprint = HiddenField()
    submit = SubmitField(_l("Save the account"))


class PasswordResetForm(_NewPassword):
    submit = SubmitField(_l("Set the new password"))


class ActionForm(FlaskForm):
    """Only the CSRF token: deactivating and reactivating need no input."""
