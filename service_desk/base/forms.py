"""Form pieces every channel shares: the reference + mobile look-up, and putting a service's
field errors onto a form."""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from .display import normalise_reference
from .phones import normalise_mobile


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
