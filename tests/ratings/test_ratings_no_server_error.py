"""A level typed with non-ASCII digits ("²" passes str.isdigit but not int) used to raise
ValueError in level_of (a 500 on the rating form); it is refused like any other bad level."""
from __future__ import annotations

import pytest

from service_desk.ratings.services import RatingError, level_of


@pytest.mark.parametrize("raw", ["²", "①", "5²"])
def test_a_level_in_odd_digits_is_refused(ctx, raw):
    with pytest.raises(RatingError):
        level_of(raw)


def test_plain_levels_still_read(ctx):
    assert int(level_of(" 5 ")) == 5 and int(level_of(1)) == 1
