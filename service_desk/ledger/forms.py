"""Ledger import forms: shape of the input only (the file's content is checked in reader.py)."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp

from ..base.forms import Form


class LedgerUploadForm(Form):
    file = FileField(_l("Ledger file (.xlsx or .csv, at most 5 MB)"),
                     validators=[FileRequired(message=_l("Choose a file to check."))],
                     render_kw={"accept": ".xlsx,.csv"})
    submit = SubmitField(_l("Check the file"))


class LedgerApplyForm(Form):
    stored = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}\.(xlsx|csv)$")])
    sha256 = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$")])
    filename = HiddenField(validators=[Length(max=255)])
    # the items' versions the check page showed (JSON {number: version}): apply what was checked
    checked = HiddenField(validators=[DataRequired(), Length(max=100_000)])
    submit = SubmitField(_l("Apply this import"))
