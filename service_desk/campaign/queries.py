"""Reads of the figures the article reports (seeds/figures.yaml), for showing as reported."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from ..extensions import db
from .models import CampaignFigure

# the article's rating results: measured on site at the approval service centre
RATING_KEYS = ("onsite_evaluation_rate_before", "onsite_evaluation_rate_after",
               "good_rating_rate_min")


def figure_text(value: Decimal | None) -> str | None:
    """A figure as the article writes it: 80, 99, 387.3 (no trailing zeros)."""
    if value is None:
        return None
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class ReportedRates:
    evaluation_before: str | None
    evaluation_after: str | None
    good: str | None
    quotes: tuple[str, ...]  # the sentences they were read from, each once, in order

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.evaluation_before, self.evaluation_after,
                                           self.good))


def reported_rates() -> ReportedRates:
    """The article's rating results as seeded, with their source sentences: one statement."""
    found = {f.key: f for f in db.session.scalars(
        select(CampaignFigure).where(CampaignFigure.key.in_(RATING_KEYS)))}
    quotes: list[str] = []
    for key in RATING_KEYS:
        quote = found[key].source_quote if key in found else None
        if quote and quote not in quotes:
            quotes.append(quote)

    def value(key: str) -> str | None:
        return figure_text(found[key].value) if key in found else None

    return ReportedRates(evaluation_before=value("onsite_evaluation_rate_before"),
                         evaluation_after=value("onsite_evaluation_rate_after"),
                         good=value("good_rating_rate_min"), quotes=tuple(quotes))
