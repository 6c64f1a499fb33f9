"""Login form: shape of the input only."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


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
