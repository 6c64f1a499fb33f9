"""The overdue board puts the worst unit first: most items overdue, then the longest overdue,
then most items needing attention; within a unit, the longest overdue first."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service_desk.base.calendar import today
from service_desk.extensions import db
from service_desk.matters.models import Matter, MatterStatus
from service_desk.supervision.queries import board_summary, overdue_board
from service_desk.units.models import Unit

from ..factories import People, matter_set


@pytest.fixture
def people(app, seeded, make_user):
    return People(app, make_user, lang="en")


def _items_of(app, unit_code: str) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(
            select(Matter.number).join(Unit, Unit.id == Matter.lead_unit_id)
            .where(Unit.code == unit_code).order_by(Matter.number)))


def _only(app, deadlines: dict[str, int]) -> None:
    """Every item completed but these, each due ``days`` from today (negative: overdue)."""
    with app.app_context():
        for matter in db.session.scalars(select(Matter)):
            matter.status = MatterStatus.COMPLETED
        db.session.commit()
        base = today()
    for number, days in deadlines.items():
        matter_set(app, number, status=MatterStatus.IN_PROGRESS, progress=10,
                   deadline=base + dt.timedelta(days=days))


@pytest.mark.parametrize("worse,better", [("zone", "construction-bureau"),
                                          ("construction-bureau", "zone")])
def test_the_unit_with_most_overdue_items_comes_first_whatever_its_name(app, people, worse,
                                                                           better):
    """Both ways round: one of the two contradicts the order by name."""
    bad, good = _items_of(app, worse), _items_of(app, better)
    # the better unit has the single longest overdue item, and one due soon
    _only(app, {bad[0]: -1, bad[1]: -2, good[0]: -30, good[1]: 3})
    with app.app_context():
        summary = board_summary(today=today(), days=7)
        assert [s.unit.code for s in summary] == [worse, better]
        assert [(s.overdue, s.due_soon, s.most_days_overdue) for s in summary] == [
            (2, 0, 2), (1, 1, 30)]
        rows = overdue_board(today=today(), days=7, page=1, per_page=100).items
        assert [r.matter.number for r in rows] == [bad[1], bad[0], good[0], good[1]]
    html = people["sup"].get("/supervision/").get_data(as_text=True)
    assert html.index(f'id="unit-{worse}"') < html.index(f'id="unit-{better}"')
    assert "Units, worst first" in html


def test_on_equal_counts_the_longest_overdue_comes_first_then_the_most_items(app, people):
    zone, builder = _items_of(app, "zone"), _items_of(app, "construction-bureau")
    _only(app, {zone[0]: -5, builder[0]: -9, builder[1]: 2})
    with app.app_context():
        assert [s.unit.code for s in board_summary(today=today(), days=7)] == [
            "construction-bureau", "zone"]
    _only(app, {zone[0]: 1, zone[1]: 2, builder[0]: 4})
    with app.app_context():
        summary = board_summary(today=today(), days=7)
        assert [s.unit.code for s in summary] == ["zone", "construction-bureau"]
        assert [s.most_days_overdue for s in summary] == [0, 0]


def test_nothing_to_show_is_said_and_the_page_still_answers(app, people):
    _only(app, {})
    html = people["sup"].get("/supervision/").get_data(as_text=True)
    assert "Nothing is overdue or due soon." in html and "Units, worst first" not in html
