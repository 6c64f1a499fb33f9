"""A real .xls, .et or .ods is refused with how to fix it (save as an Excel workbook), as the
renamed-file case already says, not only "neither .xlsx nor .csv"."""
from __future__ import annotations

import pytest

from service_desk.ledger.reader import LedgerFileError, check_type_and_size


@pytest.mark.parametrize("name", ["台账.xls", "台账.XLS", "台账.et", "ledger.ods"])
def test_an_older_or_other_spreadsheet_is_refused_with_the_fix(ctx, name):
    from flask_babel import force_locale

    with force_locale("en"), pytest.raises(LedgerFileError) as refused:
        check_type_and_size(name, 1000)
    assert refused.value.status == 415
    assert "Excel workbook (.xlsx)" in refused.value.message
    assert name.rsplit(".", 1)[1].lower() in refused.value.message


def test_any_other_file_keeps_the_plain_refusal(ctx):
    from flask_babel import force_locale

    with force_locale("en"), pytest.raises(LedgerFileError) as refused:
        check_type_and_size("photo.jpg", 1000)
    assert "Only .xlsx and .csv files can be imported" in refused.value.message
