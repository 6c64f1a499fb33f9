"""What the public board says about the source article: no more than the article says, and
made-up (synthetic) items never shown or counted in public."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service_desk.extensions import db
from service_desk.matters.models import Matter, MatterStatus, MatterUpdate, RecordOrigin
from service_desk.units.models import Unit

from ..factories import login


@pytest.fixture
def board(client, seeded):
    client.set_cookie("lang", "en")
    return client


def _add_synthetic(app, number: str = "T001") -> None:
    with app.app_context():
        zone = db.session.scalar(select(Unit.id).where(Unit.code == "zone"))
        matter = Matter(number=number, title="合成事项", origin=RecordOrigin.SYNTHETIC,
                        is_synthetic=True, lead_unit_id=zone, status=MatterStatus.COMPLETED,
                        progress=100)
        db.session.add(matter)
        db.session.flush()
        db.session.add(MatterUpdate(matter_id=matter.id, note="合成公开说明", is_public=True,
                                    is_synthetic=True))
        db.session.commit()


# --- synthetic items ---------------------------------------------------------------------

def test_a_synthetic_item_is_neither_shown_nor_counted_on_the_public_board(app, board):
    before = board.get("/board").get_data(as_text=True)
    _add_synthetic(app)
    html = board.get("/board").get_data(as_text=True)
    assert "T001" not in html and "合成" not in html and "synthetic" not in html.lower()
    # every figure is the same as without it
    strip = re.compile(r"<time[^>]*>.*?</time>|nonce=\"[^\"]+\"|csrf[^>]*>", re.DOTALL)
    assert strip.sub("", html) == strip.sub("", before)
    assert board.get("/board/T001").status_code == 404


def test_a_synthetic_item_is_not_in_the_public_api_but_staff_may_ask_for_demo_data(
        app, board, people):
    _add_synthetic(app)
    numbers = [m["number"] for m in board.get("/api/v1/matters?per_page=100").get_json()["items"]]
    assert "T001" not in numbers and "S01" in numbers
    assert board.get("/api/v1/matters/T001").status_code == 404
    supervisor = people["sup"]
    listed = supervisor.get("/matters/").get_data(as_text=True)
    assert "T001" not in listed
    demo = supervisor.get("/matters/?demo=1").get_data(as_text=True)
    assert "T001" in demo


# --- progress by lead unit: fluid bars ---------------------------------------------------

def test_unit_bars_are_html_in_percent_of_the_column_with_their_numbers_in_words(app, board):
    html = board.get("/board").get_data(as_text=True)
    bars = re.search(r'<ul class="unit-bars">(.*?)</ul>', html, re.DOTALL).group(1)
    rows = re.findall(r'<span class="unit-bar-label">([^<]+)</span>\s*'
                      r'<span class="unit-bar-value">([^<]+)</span>\s*'
                      r'<span class="unit-bar-track" aria-hidden="true">'
                      r'<span class="bar-fill (w\d+)"></span>', bars)
    assert ("Weihai Economic and Technological Development Zone", "7 of 7", "w100") in rows
    assert 'id="chart-units"' not in html
    with app.open_resource("static/css/app.css") as fh:
        css = fh.read().decode()
    rules = re.findall(r"\.unit-bar[^{]*\{([^}]*)\}", css)
    assert rules and not any(re.search(r"width:\s*\d+px", r) for r in rules)


# --- the article's reported figures, beside ours -----------------------------------------

def _ratings(html: str) -> str:
    return re.search(r'<section aria-labelledby="ratings".*?</section>', html, re.DOTALL).group(0)


def test_the_articles_rates_are_shown_as_reported_for_the_approval_centre_not_as_targets(
        app, board):
    section = _ratings(board.get("/board").get_data(as_text=True))
    assert "Reported by the article" in section
    assert "on-site evaluation at the approval service centre" in section
    assert "from 40% to 80%" in section and "99% or more" in section
    # the figures come from figures.yaml, with the sentence they were read from
    assert "全区行政审批服务中心群众现场评价率由40%提高到80%" in section
    assert "好评率达到99%以上" in section
    # no target is set: none is drawn or named
    assert 'class="target-' not in section and "Target " not in section
    assert "target 80%" not in section and "target 99%" not in section


def test_the_reported_figures_follow_figures_yaml(app, board):
    from service_desk.campaign.models import CampaignFigure

    with app.app_context():
        figure = db.session.scalar(select(CampaignFigure).where(
            CampaignFigure.key == "onsite_evaluation_rate_after"))
        figure.value = 85
        db.session.commit()
    assert "from 40% to 85%" in _ratings(board.get("/board").get_data(as_text=True))


def test_targets_are_a_setting(app, board, monkeypatch):
    monkeypatch.setitem(app.config, "RATING_TARGET_EVALUATION", 0.9)
    monkeypatch.setitem(app.config, "RATING_TARGET_GOOD", 0.95)
    from service_desk.ratings.stats import rating_targets

    with app.app_context():
        targets = rating_targets()
    assert (targets.evaluation, targets.good) == (0.9, 0.95)
    section = _ratings(board.get("/board").get_data(as_text=True))
    assert "Target evaluation rate set for this site (a dashed line on the charts): 90%." in section
    assert "Target good-rating rate set for this site (a dashed line on the charts): 95%." in section


def test_a_target_setting_out_of_range_is_refused_clearly(app, monkeypatch):
    from service_desk.ratings.stats import rating_targets

    monkeypatch.setitem(app.config, "RATING_TARGET_GOOD", 99)
    with app.app_context(), pytest.raises(ValueError, match="RATING_TARGET_GOOD"):
        rating_targets()


# --- what the article says of the list ---------------------------------------------------

def test_no_page_says_the_168_items_are_organised_under_the_24_key_issues(board):
    for url in ("/", "/board"):
        html = board.get(url).get_data(as_text=True)
        assert "under 24 key issues" not in html
        assert "168" in html


def test_the_articles_initiatives_are_marked_as_reported_not_as_list_items(app, board, people):
    html = board.get("/board").get_data(as_text=True)
    marker = "Reported in the article; not confirmed as on the 168-item list"
    card = re.search(r'<li class="matter-card">.*?S01.*?</li>', html, re.DOTALL).group(0)
    assert marker in card
    assert "13 items loaded of 168" not in html
    assert marker in board.get("/board/S01").get_data(as_text=True)
    staff = people["sup"]
    staff.set_cookie("lang", "en")
    assert marker in staff.get("/matters/S01").get_data(as_text=True)
    home = board.get("/").get_data(as_text=True)
    assert "13 of 168" not in home


def test_an_imported_item_is_not_marked_as_reported(app, board):
    with app.app_context():
        zone = db.session.scalar(select(Unit.id).where(Unit.code == "zone"))
        db.session.add(Matter(number="1", title="清单事项", origin=RecordOrigin.IMPORT,
                              lead_unit_id=zone))
        db.session.commit()
    detail = board.get("/board/1").get_data(as_text=True)
    assert "not confirmed as on the 168-item list" not in detail


def test_seeded_notes_carry_no_date_of_their_own(app, board):
    html = board.get("/board").get_data(as_text=True)
    card = re.search(r'<li class="matter-card">.*?S06.*?</li>', html, re.DOTALL).group(0)
    assert "Reported in the article (date not given)" in card
    assert "<time" not in card.split("board-note", 1)[1]
    detail = board.get("/board/S06").get_data(as_text=True)
    history = detail.split("Public notes", 1)[1]
    assert "Reported in the article (date not given)" in history and "<time" not in history


def test_the_extra_quotes_of_s06_and_s07_are_shown(board):
    assert "先后历经五任物业" in board.get("/board/S06").get_data(as_text=True)
    assert "曾因规划调整" in board.get("/board/S07").get_data(as_text=True)


def test_s08_names_both_bureaus_together_with_no_lead_invented(app, board, people):
    with app.app_context():
        matter = db.session.scalar(select(Matter).where(Matter.number == "S08"))
        assert matter.lead_unit_id is None
    html = board.get("/board/S08").get_data(as_text=True)
    named = re.search(r"<dt>Units named together</dt><dd>(.*?)</dd>", html, re.DOTALL)
    assert named, "the two bureaus are shown as named together"
    assert "Science" in named.group(1) and "Finance" in named.group(1)
    assert "<dt>Lead unit</dt>" not in html and "Co-units" not in html
    staff = people["sup"]
    staff.set_cookie("lang", "en")
    assert "Units named together" in staff.get("/matters/S08").get_data(as_text=True)


def test_staff_of_either_bureau_may_add_notes_to_s08(app, board, make_user):
    name = make_user("staff", unit="finance-bureau")
    staff = app.test_client()
    login(staff, name)
    page = staff.get("/matters/S08").get_data(as_text=True)
    assert 'name="note"' in page


def test_the_api_refuses_a_demo_value_it_cannot_read(board):
    response = board.get("/api/v1/matters?demo=maybe")
    assert response.status_code == 422 and response.get_json()["error"]["fields"]["demo"]
