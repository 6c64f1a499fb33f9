"""The satisfaction dashboard (/satisfaction), its exports and the board's ratings section:
who may see them, the figures shown for a hand-counted set of ratings, filters, bad filter
values, the reference lines, and a bounded number of statements."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from service_desk.accounts.models import User
from service_desk.audit.models import AuditEvent
from service_desk.base.calendar import today
from service_desk.catalog.models import Channel, Service
from service_desk.extensions import db
from service_desk.ratings.models import Rating, RatingSource, Rectification
from service_desk.ratings.services import (
    rating_give,
    rectification_appeal,
    rectification_callback,
    rectification_decide,
)
from service_desk.requests.models import RequestStatus, ServiceRequest
from service_desk.satisfaction.forms import add_months, month_key, month_start
from service_desk.units.models import Unit

from ..factories import html_tables as tables
from ..factories import login

SHANGHAI = ZoneInfo("Asia/Shanghai")
CENTRE, BUREAU = "gov-service-centre", "approval-bureau"
CENTRE_EN = "Government Service Centre of the Development Zone"
BUREAU_EN = "Administrative Approval Service Bureau of the Development Zone"


def _finished(month: dt.date, day: int = 10) -> dt.datetime:
    """Noon (Beijing time) on a day of that month, as stored: aware UTC."""
    return dt.datetime(month.year, month.month, day, 12, tzinfo=SHANGHAI).astimezone(dt.UTC)


def add_request(app, *, unit: str, service: str, channel: Channel, finished: dt.datetime,
                level: int | None = None, comment: str | None = None,
                status: RequestStatus = RequestStatus.COMPLETED) -> int:
    """A finished request (inserted directly), rated through rating_give when level is set."""
    with app.app_context():
        n = db.session.scalar(select(db.func.count(ServiceRequest.id))) or 0
        item = ServiceRequest(
            reference=f"SAT{n + 1:05d}", channel=channel, status=status,
            service_id=db.session.scalar(select(Service.id).where(Service.code == service)),
            unit_id=db.session.scalar(select(Unit.id).where(Unit.code == unit)),
            resident_name="王阿姨", resident_phone="13900001111",
            resolved_at=finished if status is not RequestStatus.BOOKED else None,
            created_at=finished - dt.timedelta(days=1), updated_at=finished)
        db.session.add(item)
        db.session.flush()
        if level is not None:
            rating_give(request=item, level=level, comment=comment, source=RatingSource.LINK)
        db.session.commit()
        request_id = item.id
        db.session.remove()
    return request_id


@pytest.fixture
def months(app):
    with app.app_context():
        this = month_start(today())
    return {"this": this, "two_ago": add_months(this, -2), "old": add_months(this, -14)}


@pytest.fixture
def rated(app, seeded, months):
    """The hand-counted set.

    Last 12 months: centre 3 completed, 3 rated (5, 4, 2) → 100.0% and 66.7%;
    bureau 3 completed, 1 rated (5) → 33.3% and 100.0%; overall 6, 4, 3 → 66.7% and 75.0%.
    Fourteen months ago: one more, rated 1 (all time: 7, 5, 3 → 71.4% and 60.0%).
    A booked (unfinished) request counts nowhere.
    """
    this, two = _finished(months["this"], 1), _finished(months["two_ago"])
    ids = {
        "five": add_request(app, unit=CENTRE, service="appointment", channel=Channel.WEB,
                            finished=this, level=5),
        "four": add_request(app, unit=CENTRE, service="appointment", channel=Channel.WEB,
                            finished=this, level=4, comment="SECRET-COMMENT 办事很快"),
        "bad": add_request(app, unit=CENTRE, service="appointment", channel=Channel.WEB,
                           finished=this, level=2, comment="等了太久"),
        "bureau": add_request(app, unit=BUREAU, service="sign-language", channel=Channel.PHONE,
                              finished=two, level=5),
    }
    for _ in range(2):
        add_request(app, unit=BUREAU, service="sign-language", channel=Channel.PHONE,
                    finished=two)
    add_request(app, unit=BUREAU, service="sign-language", channel=Channel.PHONE,
                finished=_finished(months["old"]), level=1)
    add_request(app, unit=CENTRE, service="appointment", channel=Channel.WEB,
                finished=this, status=RequestStatus.BOOKED)
    return ids


@pytest.fixture
def sup(client, make_user):
    make_user("supervisor", username="sup")
    login(client, "sup")
    client.set_cookie("lang", "en")
    return client


def page(client, **args) -> str:
    response = client.get("/satisfaction", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def headline(html: str) -> tuple[str, str]:
    evaluation = re.search(r'id="evaluation-rate">([^<]+)<', html).group(1)
    good = re.search(r'id="good-rating-rate">([^<]+)<', html).group(1)
    return evaluation, good


def table(html: str, caption: str) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in tables(html)[caption][1:]}


# --- access -----------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/satisfaction", "/satisfaction/export.xlsx",
                                 "/satisfaction/export.csv"])
def test_only_supervisors_and_admins_see_the_dashboard_and_its_exports(client, seeded, make_user,
                                                                       url):
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for role, unit in (("staff", CENTRE), ("operator", None)):
        name = make_user(role, unit=unit)
        login(client, name)
        assert client.get(url).status_code == 403, role
        client.post("/logout")
        client.delete_cookie("session")
    for role in ("supervisor", "admin"):
        login(client, make_user(role))
        assert client.get(url).status_code == 200, role
        client.delete_cookie("session")


def test_supervisors_find_the_dashboard_in_the_navigation(sup, client, seeded, make_user):
    assert 'href="/satisfaction"' in sup.get("/").get_data(as_text=True)
    client.delete_cookie("session")
    login(client, make_user("staff", unit=CENTRE))
    assert 'href="/satisfaction"' not in client.get("/").get_data(as_text=True)


# --- the figures ------------------------------------------------------------------------

def test_the_page_shows_the_hand_counted_rates_and_says_how_they_are_counted(sup, rated):
    html = page(sup)
    assert headline(html) == ("66.7%", "75.0%")
    assert "0 ratings left out after upheld appeals." in html
    assert "A rating counts as good when it is Very satisfied or Satisfied (levels 4 and 5 of 5)." \
        in html
    assert "rated ÷ completed" in html and "good ÷ rated" in html
    by_unit = table(html, "Ratings by unit")
    assert by_unit[CENTRE_EN] == ["3", "3", "2", "0", "100.0%", "66.7%"]
    assert by_unit[BUREAU_EN][:2] == ["3", "1"]
    assert by_unit[BUREAU_EN][4:] == ["33.3%", "100.0%"]
    ranking = tables(html)["Ranking of units"][1:]
    assert [(r[0], r[1]) for r in ranking] == [("1", BUREAU_EN), ("2", CENTRE_EN)]
    by_channel = table(html, "Ratings by channel")
    assert by_channel["Website"][4:] == ["100.0%", "66.7%"]
    assert by_channel["Hotline (phone)"][4:] == ["33.3%", "100.0%"]
    by_service = table(html, "Ratings by service")
    assert by_service["Appointment booking"][4:] == ["100.0%", "66.7%"]
    assert by_service["Sign-language service"][4:] == ["33.3%", "100.0%"]
    levels = table(html, "Ratings counted at each level")
    assert levels["5 · Very satisfied"] == ["2", "50.0%", "Yes"]
    assert levels["2 · Dissatisfied"] == ["1", "25.0%", "No"]
    assert levels["1 · Very dissatisfied"][0] == "0"  # fourteen months ago: outside the period
    rect = table(html, "Rectification figures")
    assert rect["Bad ratings"] == ["1"]
    assert rect["Call-back rate (called back ÷ bad ratings)"] == ["0.0%"]
    # nothing closed and nothing late yet: no division possible, said with a dash
    assert rect["On-time rate (closed by the deadline ÷ (closed + open past the deadline))"] == ["—"]
    assert "“—” means the rate cannot be computed" in html


def _set_targets(app, monkeypatch) -> None:
    """Targets are a setting (unset by default: the article's 80% and 99% are results)."""
    monkeypatch.setitem(app.config, "RATING_TARGET_EVALUATION", 0.8)
    monkeypatch.setitem(app.config, "RATING_TARGET_GOOD", 0.99)


def test_the_month_table_fills_the_gap_and_the_charts_carry_both_reference_lines(
        app, monkeypatch, sup, rated, months):
    _set_targets(app, monkeypatch)
    html = page(sup)
    by_month = tables(html)["Ratings by month of completion"][1:]
    assert len(by_month) == 3  # two months ago, the empty month between, this month
    assert by_month[0][1:] == ["3", "1", "1", "0", "33.3%", "100.0%"]
    assert by_month[1][1:] == ["0", "0", "0", "0", "—", "—"]
    assert by_month[2][1:] == ["3", "3", "2", "0", "100.0%", "66.7%"]
    svgs = dict(re.findall(r'<svg[^>]*id="([^"]+)"[^>]*>(.*?)</svg>', html, re.DOTALL))
    assert set(svgs) == {"chart-rating-months", "chart-rating-units"}
    for svg in svgs.values():
        assert 'class="target-evaluation"' in svg and 'class="target-good"' in svg
        assert "target 80%" in svg and "target 99%" in svg
        assert "style=" not in svg and "<script" not in svg
    months_svg = svgs["chart-rating-months"]
    # horizontal lines: y1 == y2; 99% sits above 80%
    lines = {cls: re.search(rf'class="{cls}" x1="[^"]+" y1="([^"]+)" x2="[^"]+" y2="([^"]+)"',
                            months_svg).groups() for cls in ("target-evaluation", "target-good")}
    assert all(y1 == y2 for y1, y2 in lines.values())
    assert float(lines["target-good"][0]) < float(lines["target-evaluation"][0])
    assert months_svg.count("<circle") == 1 + 2  # the legend, then a point a month with a rate


def test_filters_narrow_the_figures(sup, rated, months):
    assert headline(page(sup, unit=BUREAU)) == ("33.3%", "100.0%")
    assert headline(page(sup, channel="web")) == ("100.0%", "66.7%")
    assert headline(page(sup, service="sign-language")) == ("33.3%", "100.0%")
    this = month_key(months["this"])
    assert headline(page(sup, **{"from": this, "to": this})) == ("100.0%", "66.7%")
    html = page(sup, **{"from": "all"})
    assert headline(html) == ("71.4%", "60.0%")
    assert "All time, up to" in html
    # a unit with nothing completed: no division possible
    html = page(sup, unit="finance-bureau")
    assert headline(html) == ("—", "—")
    assert "No service was completed in this period" in html


@pytest.mark.parametrize("args, message", [
    ({"from": "2024-13"}, "“2024-13” is not one of the months offered"),
    ({"to": "garbage<script>"}, "is not one of the months offered"),
    ({"from": "1999-01"}, "“1999-01” is not one of the months offered"),
    ({"unit": "no-such-unit"}, "There is no unit “no-such-unit”; every unit is shown."),
    ({"service": "nope"}, "There is no service “nope”; every service is shown."),
    ({"channel": "pigeon"}, "There is no channel “pigeon”; every channel is shown."),
])
def test_bad_filter_values_are_named_and_the_default_is_shown(sup, rated, args, message):
    html = page(sup, **args)
    assert message in html
    assert "<script>" not in html.split('id="main"')[1]
    assert headline(html) == ("66.7%", "75.0%")  # the default figures


def test_months_in_the_wrong_order_are_swapped(sup, rated, months):
    html = page(sup, **{"from": month_key(months["this"]), "to": month_key(months["two_ago"])})
    assert "The first month was after the last one; the two were swapped." in html
    assert headline(html) == ("66.7%", "75.0%")


def test_an_upheld_appeal_leaves_the_rating_out_and_a_call_back_counts(app, sup, rated,
                                                                       make_user):
    make_user("staff", unit=CENTRE, username="centre")
    make_user("supervisor", username="boss")
    with app.app_context():
        staff = db.session.scalar(select(User).where(User.username == "centre"))
        boss = db.session.scalar(select(User).where(User.username == "boss"))
        rect = db.session.scalar(select(Rectification).join(Rating).where(
            Rating.request_id == rated["bad"]))
        rectification_callback(rect=rect, actor=staff, note="已回访", expected_version=rect.version)
        db.session.commit()
        rectification_appeal(rect=rect, actor=staff, reason="评错了", expected_version=rect.version)
        db.session.commit()
        rectification_decide(rect=rect, actor=boss, uphold=True, reason="同意",
                             expected_version=rect.version)
        db.session.commit()
        db.session.remove()
    html = page(sup)
    # rated 3 of 6, all 3 good
    assert headline(html) == ("50.0%", "100.0%")
    assert "1 rating left out after upheld appeals." in html
    rect = table(html, "Rectification figures")
    assert rect["Call-back rate (called back ÷ bad ratings)"] == ["100.0%"]
    assert rect["Appeals upheld (ratings left out)"] == ["1"]
    assert table(html, "Ratings by unit")[CENTRE_EN][3] == "1"


# --- exports -----------------------------------------------------------------------------

def test_the_workbook_holds_the_same_numbers_with_rates_as_percentages(app, sup, rated):
    response = sup.get("/satisfaction/export.xlsx", query_string={"unit": ""})
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Cache-Control"] == "no-store"
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Overall", "By unit", "By service", "By channel", "By month",
                               "Rectifications"]
    overall = [list(r) for r in book["Overall"].iter_rows(values_only=True)]
    figures_at = overall.index(["Completed", "Rated", "Good", "Left out after upheld appeals",
                                "Evaluation rate", "Good-rating rate"])
    values = overall[figures_at + 1]
    assert values[:4] == [6, 4, 3, 0]
    assert values[4] == pytest.approx(4 / 6) and values[5] == pytest.approx(0.75)
    assert book["Overall"].cell(row=figures_at + 2, column=5).number_format == "0.0%"
    units = [list(r) for r in book["By unit"].iter_rows(values_only=True)]
    assert units[0][:3] == ["Rank", "Unit code", "Unit"]
    assert units[1][:6] == [1, BUREAU, BUREAU_EN, 3, 1, 1]
    assert units[2][:3] == [2, CENTRE, CENTRE_EN]
    assert units[2][7:] == [pytest.approx(1.0), pytest.approx(2 / 3)]
    month_rows = list(book["By month"].iter_rows(values_only=True))[1:]
    assert len(month_rows) == 3 and month_rows[1][6] is None  # the empty month: no rate
    rect = {r[0]: r[1] for r in book["Rectifications"].iter_rows(values_only=True)}
    assert rect["Bad ratings (each opens a rectification)"] == 1
    assert rect["Call-back rate (called back ÷ bad ratings)"] == 0
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "satisfaction.export"))
        assert event.actor_label == "sup" and event.after["format"] == "xlsx"


def test_the_csv_is_one_long_table_with_the_filters_applied(app, sup, rated):
    response = sup.get("/satisfaction/export.csv", query_string={"channel": "phone"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["dimension", "key", "label", "completed", "rated", "good", "excluded",
                       "evaluation_rate", "good_rating_rate"]
    by = {(r[0], r[1]): r[3:] for r in rows[1:]}
    assert by[("overall", "")] == ["3", "1", "1", "0", "0.3333", "1.0"]
    assert by[("unit", BUREAU)] == ["3", "1", "1", "0", "0.3333", "1.0"]
    assert ("unit", CENTRE) not in by  # filtered out by the channel
    assert by[("channel", "phone")][:2] == ["3", "1"]
    assert [k for k in by if k[0] == "month"] == [("month", month_key(
        add_months(month_start(today_in(app)), -2)))]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "satisfaction.export"))
        assert event.after == {"format": "csv", "from": event.after["from"],
                               "to": event.after["to"], "channel": "phone"}


def today_in(app) -> dt.date:
    with app.app_context():
        return today()


def test_csv_labels_that_look_like_formulas_are_defused(app, sup, rated):
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == BUREAU))
        unit.name_en = "=HYPERLINK(\"http://x\")"
        db.session.commit()
    text = sup.get("/satisfaction/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text
    book = load_workbook(io.BytesIO(sup.get("/satisfaction/export.xlsx").data))
    cell = book["By unit"]["C2"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"


# --- the public board ---------------------------------------------------------------------

def _ratings_section(html: str) -> str:
    return re.search(r'<section aria-labelledby="ratings".*?</section>', html, re.DOTALL).group(0)


def test_the_public_board_shows_zone_wide_rates_without_names_or_comments(app, monkeypatch,
                                                                         client, rated):
    _set_targets(app, monkeypatch)
    client.set_cookie("lang", "en")
    html = client.get("/board").get_data(as_text=True)
    section = _ratings_section(html)
    assert re.search(r'id="board-evaluation-rate">66.7%<', section)
    assert re.search(r'id="board-good-rating-rate">75.0%<', section)
    assert "levels 4 and 5 of 5" in section
    assert "target 80%" in section and "target 99%" in section
    assert 'class="target-evaluation"' in section and 'class="target-good"' in section
    for name in (CENTRE_EN, BUREAU_EN, "经开区政务服务中心", "王阿姨"):
        assert name not in section
    assert "SECRET-COMMENT" not in html and "等了太久" not in html
    assert len(tables(section)["Ratings by month of completion"]) == 4  # header + 3 months


def test_the_board_says_so_when_nothing_was_completed(client, seeded):
    client.set_cookie("lang", "en")
    section = _ratings_section(client.get("/board").get_data(as_text=True))
    assert "No service has been completed in the last 12 months yet" in section
    assert "<svg" not in section


# --- bounded statements --------------------------------------------------------------------

def test_the_dashboard_costs_the_same_statements_for_3_or_30_ratings(app, sup, seeded, months,
                                                                     count_queries):
    finished = _finished(months["this"], 1)
    for level in (5, 4, 2):
        add_request(app, unit=CENTRE, service="appointment", channel=Channel.WEB,
                    finished=finished, level=level)
    sup.get("/satisfaction")  # warm up
    with count_queries() as small:
        assert sup.get("/satisfaction").status_code == 200
    with count_queries() as board_small:
        assert sup.get("/board").status_code == 200
    units = [CENTRE, BUREAU, "finance-bureau", "fenglin-subdistrict"]
    channels = [Channel.WEB, Channel.PHONE, Channel.WECHAT]
    for i in range(27):
        add_request(app, unit=units[i % 4], service=["appointment", "hotline"][i % 2],
                    channel=channels[i % 3], level=1 + i % 5,
                    finished=_finished(add_months(months["this"], -(i % 6)), 1))
    with count_queries() as large:
        html = sup.get("/satisfaction").get_data(as_text=True)
    assert len(large) == len(small)
    assert len(tables(html)["Ratings by unit"]) == 5
    with count_queries() as board_large:
        assert "<svg" in _ratings_section(sup.get("/board").get_data(as_text=True))
    assert len(board_large) == len(board_small)
    with count_queries() as export:
        sup.get("/satisfaction/export.xlsx")
    assert len(export) <= len(small) + 2  # the audit record and its commit


def test_elder_mode_draws_the_charts_narrower_so_their_text_is_larger(sup, rated):
    sup.set_cookie("elder", "1")
    html = page(sup)
    assert html.count('viewBox="0 0 288 ') == 2


def test_without_targets_set_no_reference_line_is_drawn(sup, rated, months):
    html = page(sup)
    assert 'class="target-' not in html and "target 80%" not in html
    assert "No target is set, so no reference line is drawn." in html
    # the article's figures are shown as what it reported, where it measured them
    assert "Reported by the article: on-site evaluation at the approval service centre" in html
