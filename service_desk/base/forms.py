"""Form pieces every channel shares: the reference + mobile look-up, and putting a service's
field errors onto a form."""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from .display import normalise_reference
from .phones import normalise_mobile

# inputs no <label> points at: their id only matters when a page holds one form
UNLABELLED = frozenset({"CSRFTokenField", "HiddenField", "SubmitField"})


class Form(FlaskForm):
    """A FlaskForm whose CSRF token, hidden fields and buttons render without an id, so that
    a page may hold several forms (each has ``csrf_token`` and ``submit``) and keep its ids
    unique, as HTML requires. An id given to the field or in the template is kept."""

    class Meta:
        def render_field(self, field, render_kw):
            if field.type in UNLABELLED and field.id == field.name and "id" not in render_kw:
                render_kw = {**render_kw, "id": False}  # WTForms leaves out a False attribute
            return super().render_field(field, render_kw)


class LookupForm(FlaskForm):
    reference = StringField(_l("Reference code"),
                            render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                       "spellcheck": "false", "maxlength": "20"})
    phone = StringField(_l("Mobile number"),
                        render_kw={"type": "tel", "inputmode": "tel", "autocomplete": "tel",
                                   "maxlength": "20"})


def lookup_checked(form) -> tuple[str, str] | None:
    """(reference, mobile) from a look-up form, normalised; or None with the field errors set.

    My booking and the rating look-up share it, so both say the same words."""
    reference = normalise_reference(form.reference.data)
    phone = normalise_mobile(form.phone.data)
    if not reference:
        form.reference.errors = [_l("Enter the reference code you were given.")]
    if phone is None:
        form.phone.errors = [_l(
            "Enter a mainland China mobile number of 11 digits, such as 13812345678.")]
    return (reference, phone) if reference and phone is not None else None


def apply_errors(form, errors: Mapping[str, object], *, fallback: str | None = None) -> None:
    """Add each ``{field: message}`` to the form's field of that name; a message for a field
    the form does not have goes to ``fallback`` (when given)."""
    for name, message in errors.items():
        target = name if name in form else fallback
        if target is not None and target in form:
            form[target].errors = [*form[target].errors, str(message)]
