"""A home visit needs an address staff can find the door with, on every channel; a rural
village address without a number is genuine and accepted."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from service_desk.requests.residents import ResidentError, home_address_problem, resident_check

from ..factories import csrf_from, free_times, open_for_booking


@pytest.mark.parametrize("address", [
    "海峰路 8 号", "凤林街道海景小区 3 号楼 201", "崮山镇后双岛村", "泊于镇西山村三组",
    "海埠路１号", "12 Haifeng Road", "皇冠街道长峰广安社区 3 号楼 2 单元",
])
def test_findable_addresses_pass(ctx, address):
    assert home_address_problem(address) is None


@pytest.mark.parametrize("address", ["x", "1", "海景小区", "某小区", "  家 ", "8号"])
def test_addresses_without_a_door_are_refused(ctx, address):
    assert home_address_problem(address) is not None


def test_resident_check_asks_for_the_door_only_for_a_home_visit(ctx):
    with pytest.raises(ResidentError) as refused:
        resident_check(name="王芳", phone="13812345678", address="x", address_required=True)
    with force_locale("en"):
        assert "find the door" in str(refused.value.errors["address"])
    # a report's location, or a hall booking, is not a door: no rule beyond its length
    assert resident_check(name="王芳", phone="13812345678", address="海景小区东门").address


def test_the_address_is_kept_on_one_line(ctx):
    resident = resident_check(name="王芳", phone="13812345678",
                              address=" 海峰路 8 号\n3 单元  201 室 ", address_required=True)
    assert resident.address == "海峰路 8 号 3 单元 201 室"


@pytest.fixture
def bookable(app, client, seeded):
    open_for_booking(app)
    client.set_cookie("lang", "en")
    return client


def test_the_web_refuses_a_one_character_address(app, bookable):
    slot = free_times(app, "home-visit", 1)[0]
    token = csrf_from(bookable.get("/my-booking").get_data(as_text=True))
    response = bookable.post("/book/home-visit/details", query_string={
        "start": slot.start.isoformat()}, data={
        "name": "王芳", "phone": "13812345678", "address": "x", "group": "elderly",
        "csrf_token": token})
    assert response.status_code == 422
    assert "find the door" in response.get_data(as_text=True)


def test_the_api_refuses_a_one_character_address(app, bookable):
    slot = free_times(app, "home-visit", 1)[0]
    response = bookable.post("/api/v1/appointments", json={
        "service_code": "home-visit", "start": slot.start.isoformat(), "name": "王芳",
        "phone": "13812345678", "address": "x", "group": "elderly"})
    assert response.status_code == 422
    assert "find the door" in response.get_data(as_text=True)


def test_the_hotline_refuses_it_too_and_a_past_time_says_past(app, bookable, people):
    slot = free_times(app, "home-visit", 1)[0]
    op = people["op"]
    op.set_cookie("lang", "en")
    details = op.get("/hotline/book", query_string={
        "service": "home-visit", "start": slot.start.isoformat(), "phone": "13812345678"})
    fields = {"csrf_token": csrf_from(details.get_data(as_text=True)), "service": "home-visit",
              "name": "王芳", "phone": "13812345678", "group": "elderly",
              "caller": "13812345678"}
    response = op.post("/hotline/book", data={**fields, "start": slot.start.isoformat(),
                                              "address": "x"})
    assert response.status_code == 422 and "find the door" in response.get_data(as_text=True)
    past = op.post("/hotline/book", data={**fields, "start": "2020-01-01T01:00:00+00:00",
                                          "address": "海峰路 8 号"})
    assert past.status_code in (409, 422) and "already past" in past.get_data(as_text=True)
