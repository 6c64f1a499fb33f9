"""Words for the five rating levels and where a rating came from, shared by the residents'
pages, the hotline console and the satisfaction dashboard (never colour alone)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import RatingLevel, RatingSource

# 非常满意 … 非常不满意: the national 好差评 levels
LEVEL_LABELS = {
    RatingLevel.VERY_SATISFIED: _l("Very satisfied"),
    RatingLevel.SATISFIED: _l("Satisfied"),
    RatingLevel.FAIRLY_SATISFIED: _l("Fairly satisfied"),
    RatingLevel.DISSATISFIED: _l("Dissatisfied"),
    RatingLevel.VERY_DISSATISFIED: _l("Very dissatisfied"),
}

# the order they are offered in: best first, as on the national 好差评 forms
LEVELS_OFFERED = tuple(sorted(RatingLevel, reverse=True))

SOURCE_LABELS = {
    RatingSource.LINK: _l("Link in the text message"),
    RatingSource.BOOKING_PAGE: _l("My booking page"),
    RatingSource.PHONE: _l("By phone, recorded by an operator"),
    RatingSource.API: _l("Application (API)"),
}


def level_label(level) -> str:
    """The words for a stored level (1–5); empty for anything else."""
    try:
        return str(LEVEL_LABELS[RatingLevel(int(level))])
    except (TypeError, ValueError):
        return ""


def level_choices() -> list[tuple[str, object]]:
    """(value, label) pairs for a radio list, best first."""
    return [(str(int(level)), LEVEL_LABELS[level]) for level in LEVELS_OFFERED]
