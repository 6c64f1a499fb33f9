"""One date field for every staff and admin form: a native date input where the browser has
one, and typed dates in the common shapes (phones' digit keypads have no "-")."""
from __future__ import annotations

import datetime as dt

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from service_desk.base.calendar import today
from service_desk.formfields import LocalDateField, date_example, parse_local_date


@pytest.mark.parametrize("text", [
    "2026-12-15", "20261215", "2026/12/15", "2026.12.15", "2026年12月15日", "２０２６１２１５",
    "２０２６－１２－１５", " 2026-12-15 ", "2026-12-15\n",
])
def test_the_common_shapes_of_a_date_are_read(text):
    assert parse_local_date(text) == dt.date(2026, 12, 15)


@pytest.mark.parametrize("text", ["2026-02-30", "202612150", "2026121", "12/15/2026",
                                  "tomorrow", "2026-13-01", "０", ""])
def test_anything_else_is_not_a_date(text):
    assert parse_local_date(text) is None


class _Form(FlaskForm):
    class Meta:
        csrf = False

    on = LocalDateField("On")


def test_the_field_renders_a_date_input_and_explains_a_bad_one(app):
    with app.test_request_context("/?lang=en"):
        form = _Form(formdata=MultiDict({"on": "20261215"}))
        assert form.validate() and form.on.data == dt.date(2026, 12, 15)
        html = form.on()
        assert 'type="date"' in html and 'value="2026-12-15"' in html
        bad = _Form(formdata=MultiDict({"on": "15 Dec"}))
        assert not bad.validate()
        message = bad.on.errors[0]
        assert str(today().year) in message and "2021" not in message
        assert f"{today().year}-12-31" in message and f"{today().year}1231" in message


def test_the_example_uses_this_year_in_the_zone(app):
    with app.app_context():
        assert date_example() == f"{today().year}-12-31"
        assert str(date_example()) != "2021-12-31"
