"""The public board keeps its zone-wide figures and its anonymous page for at most
BOARD_CACHE_SECONDS (board/fresh.py): a change shows within that bound, never later, and a
page with anything personal is never shared. Time is stepped with a fake clock, not slept."""
from __future__ import annotations

import pytest

from service_desk.board import fresh
from service_desk.extensions import db
from service_desk.matters.models import Matter, MatterStatus, RecordOrigin

from ..factories import login


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app, monkeypatch):
    fake = Clock()
    monkeypatch.setattr(fresh, "clock", fake)
    monkeypatch.setitem(app.config, "BOARD_CACHE_SECONDS", 1.0)
    fresh.forget()
    yield fake
    fresh.forget()


@pytest.fixture
def board(client, seeded):
    client.set_cookie("lang", "en")
    return client


def _add_item(app, number: str) -> None:
    with app.app_context():
        db.session.add(Matter(number=number, title=f"清单事项 {number}", origin=RecordOrigin.IMPORT,
                              status=MatterStatus.IN_PROGRESS, progress=10))
        db.session.commit()


def loaded(html: str) -> str:
    return html.split("The list has 168 items; ", 1)[1].split(" of them", 1)[0]


def test_a_change_shows_within_the_bound_and_not_before(app, board, clock, count_queries):
    assert loaded(board.get("/board").get_data(as_text=True)) == "0"
    _add_item(app, "F001")
    clock.now += 0.5
    with count_queries() as statements:
        html = board.get("/board").get_data(as_text=True)
    assert loaded(html) == "0" and statements == []  # within the second: the kept page
    clock.now += 0.5  # one second after the figures were taken
    assert loaded(board.get("/board").get_data(as_text=True)) == "1"


def test_each_language_and_page_is_kept_apart(app, board, clock):
    english = board.get("/board").get_data(as_text=True)
    board.set_cookie("lang", "zh")
    chinese = board.get("/board").get_data(as_text=True)
    assert "The list has 168 items" in english and "The list has 168 items" not in chinese
    board.set_cookie("lang", "en")
    assert board.get("/board?page=2").status_code == 200
    assert board.get("/board").get_data(as_text=True) == english


def test_a_signed_in_users_page_is_rendered_for_them_with_figures_as_fresh(app, client, seeded,
                                                                        make_user, clock):
    client.set_cookie("lang", "en")
    assert "worker77" not in client.get("/board").get_data(as_text=True)  # kept: anonymous
    make_user("staff", unit="gov-service-centre", username="worker77")
    login(client, "worker77")
    html = client.get("/board").get_data(as_text=True)
    assert "worker77" in html  # their own page, never the anonymous one kept a moment ago
    _add_item(app, "F002")
    clock.now += 1.0
    assert loaded(client.get("/board").get_data(as_text=True)) == "1"


def test_off_when_the_setting_is_zero(app, board, clock, monkeypatch):
    monkeypatch.setitem(app.config, "BOARD_CACHE_SECONDS", 0)
    assert loaded(board.get("/board").get_data(as_text=True)) == "0"
    _add_item(app, "F003")
    assert loaded(board.get("/board").get_data(as_text=True)) == "1"


def test_a_page_made_from_kept_figures_is_as_old_as_they_are(app, client, seeded, make_user,
                                                            clock):
    """Figures kept at 0 s, the anonymous page rendered from them at 0.9 s: at 1.0 s the page
    is out of date with its figures, not kept until 1.9 s."""
    from flask.testing import FlaskClient

    make_user("staff", unit="gov-service-centre", username="worker78")
    login(client, "worker78")
    client.get("/board")  # keeps the figures at 0 s
    _add_item(app, "F004")
    anonymous = FlaskClient(app)
    anonymous.set_cookie("lang", "en")
    clock.now += 0.9
    assert loaded(anonymous.get("/board").get_data(as_text=True)) == "0"
    clock.now += 0.1
    assert loaded(anonymous.get("/board").get_data(as_text=True)) == "1"
