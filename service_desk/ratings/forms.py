"""The rating forms: the shape of the input only (rating_give and fix_rate check the values)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField

from .labels import level_choices
from .services import COMMENT_MAX


def _comment(label) -> TextAreaField:
    return TextAreaField(label, render_kw={"rows": "5", "maxlength": str(COMMENT_MAX),
                                           "data-count-max": str(COMMENT_MAX)})


class RatingForm(FlaskForm):
    level = RadioField(_l("How satisfied are you with this service?"), choices=[],
                       validate_choice=False)
    comment = _comment(_l("Anything you want to tell us? (you may leave this empty)"))
    # "booking" when the page was reached from My booking or the rating look-up; only ever
    # chooses between two sources that are both the resident
    via = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = level_choices()


class FixRatingForm(FlaskForm):
    level = RadioField(_l("How satisfied are you with what the unit did?"), choices=[],
                       validate_choice=False)
    comment = _comment(_l("Anything you want to tell us about it? (you may leave this empty)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = level_choices()


class PhoneRatingForm(FlaskForm):
    """The hotline: what the caller said, recorded by the operator."""

    level = RadioField(_l("How satisfied is the caller with this service?"), choices=[],
                       validate_choice=False)
    comment = _comment(_l("What the caller said (optional)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = level_choices()
