"""Synthetic (demo and test) items never count on the supervisors' boards unless a supervisor
asks for them: the overdue board, its unit summary and the unit scorecard."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service_desk.base.calendar import today
from service_desk.extensions import db
from service_desk.matters.models import Matter, MatterStatus
from service_desk.supervision.queries import board_summary, overdue_board, unit_scorecard

from ..factories import People, add_synthetic_matters


@pytest.fixture
def people(app, seeded, make_user):
    return People(app, make_user, lang="en")


@pytest.fixture
def late_synthetic(app, seeded):
    add_synthetic_matters(app, 3)
    with app.app_context():
        for matter in db.session.scalars(select(Matter).where(Matter.is_synthetic.is_(True))):
            matter.status, matter.deadline = MatterStatus.IN_PROGRESS, today() - dt.timedelta(5)
        db.session.commit()


def test_the_queries_leave_synthetic_items_out_unless_asked(app, late_synthetic):
    with app.app_context():
        now = today()
        board = overdue_board(today=now, days=7, page=1, per_page=100)
        assert not [r for r in board.items if r.matter.is_synthetic]
        assert all(s.unit is None or s.unit.code != "construction-bureau" or s.overdue == 0
                   for s in board_summary(today=now, days=7))
        scores = {s.unit.code: s for s in unit_scorecard(today=now, due_soon_days=7)}
        assert "construction-bureau" not in scores or scores["construction-bureau"].overdue == 0

        asked = overdue_board(today=now, days=7, page=1, per_page=100, include_demo=True)
        assert len([r for r in asked.items if r.matter.is_synthetic]) == 3
        summary = board_summary(today=now, days=7, include_demo=True)
        assert any(s.unit and s.unit.code == "construction-bureau" and s.overdue == 3
                   for s in summary)
        demo_scores = {s.unit.code: s for s in unit_scorecard(
            today=now, due_soon_days=7, include_demo=True)}
        assert demo_scores["construction-bureau"].overdue >= 3


def test_the_pages_offer_the_choice_and_say_when_demo_data_is_in(people, late_synthetic):
    supervisor = people["sup"]
    plain = supervisor.get("/supervision/").get_data(as_text=True)
    assert "synthetic 0" not in plain and 'name="demo"' in plain
    shown = supervisor.get("/supervision/?demo=1").get_data(as_text=True)
    assert "synthetic 0" in shown and "these figures are not real" in shown
    assert "these figures are not real" in supervisor.get(
        "/supervision/units?demo=1").get_data(as_text=True)
