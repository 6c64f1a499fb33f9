"""Login form: shape of the input only."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(message=_l("Enter your username.")), Length(max=64)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password."))],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Sign in"))


class TokenCreateForm(FlaskForm):
    """A new API bearer token: what it is for."""

    label = StringField(_l("What is this token for?"),
                        validators=[DataRequired(message=_l("Say what the token is for, such as "
                                                            "“progress script”.")),
                                    Length(max=100, message=_l("100 characters at most."))])
    submit = SubmitField(_l("Create a token"))


class TokenRevokeForm(FlaskForm):
    """Only the CSRF token: revoking needs no input."""


class PasswordChangeForm(FlaskForm):
    """The signed-in user's own password: the current one, the new one twice. The rule
    itself (length, common passwords, the username) is checked by the service."""

    current = PasswordField(_l("Current password"),
                            validators=[DataRequired(message=_l("Enter your current password."))],
                            render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("New password"),
                             validators=[DataRequired(message=_l("Enter a new password."))],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"),
                            validators=[DataRequired(message=_l("Enter the new password again.")),
                                        EqualTo("password", message=_l(
                                            "The two new passwords are not the same."))],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Change my password"))
