"""The JSON API: units, the ledger with filters and pages, the contract's error shape."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service_desk.extensions import db
from service_desk.matters.models import Matter
from service_desk.units.models import Unit


def test_units_list_names_every_seeded_unit_with_its_parent(client, seeded):
    body = client.get("/api/v1/units").get_json()
    codes = {u["code"]: u for u in body["items"]}
    assert body["total"] == len(codes) >= 10
    assert codes["changfeng-guangan-community"]["parent"] == "huangguan-subdistrict"
    assert codes["commerce-bureau"]["name"] == "经开区商务局"


def test_matters_are_paginated_and_filtered(client, seeded):
    first = client.get("/api/v1/matters?per_page=5").get_json()
    assert first["total"] == 13 and len(first["items"]) == 5 and first["pages"] == 3
    assert "page=2" in first["links"]["next"]
    last = client.get(first["links"]["next"].replace("page=2", "page=3")).get_json()
    assert len(last["items"]) == 3
    by_unit = client.get("/api/v1/matters?unit=construction-bureau").get_json()
    assert {m["number"] for m in by_unit["items"]} == {"S06", "S07"}
    searched = client.get("/api/v1/matters?q=退役军人").get_json()
    assert [m["number"] for m in searched["items"]] == ["S13"]
    done = client.get("/api/v1/matters?status=completed").get_json()
    assert all(m["status"] == "completed" for m in done["items"])
    assert client.get("/api/v1/matters?overdue=true").get_json()["total"] == 0


def test_a_matter_by_number_carries_its_source_quote(client, seeded):
    body = client.get("/api/v1/matters/S06").get_json()
    assert body["lead_unit"] == "construction-bureau"
    assert "盛德小区" in body["title"] and body["source_quote"]
    assert body["updated_at"].endswith("+00:00")


@pytest.mark.parametrize("query,field", [
    ("per_page=0", "per_page"), ("per_page=1000", "per_page"), ("page=abc", "page"),
    ("status=flying", "status"), ("overdue=maybe", "overdue"), ("key_issue=x", "key_issue"),
])
def test_bad_parameters_answer_422_in_the_contract_shape(client, seeded, query, field):
    response = client.get(f"/api/v1/matters?{query}")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_parameter" and field in error["fields"] and error["message"]


def test_unknown_things_answer_404_in_the_contract_shape(client, seeded):
    for url in ("/api/v1/matters/NOPE", "/api/v1/nothing-here"):
        response = client.get(url)
        assert response.status_code == 404
        assert set(response.get_json()["error"]) == {"code", "message", "fields"}


def test_private_items_are_hidden_from_the_public_but_not_from_staff(app, client, seeded,
                                                                       make_user, runner):
    with app.app_context():
        db.session.scalar(select(Matter).where(Matter.number == "S02")).is_public = False
        db.session.commit()
    assert client.get("/api/v1/matters/S02").status_code == 404
    assert client.get("/api/v1/matters").get_json()["total"] == 12
    make_user("supervisor", username="sup")
    token = runner.invoke(args=["tokens", "create", "sup"]).output.strip()
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/matters/S02", headers=auth).status_code == 200
    assert client.get("/api/v1/matters", headers=auth).get_json()["total"] == 13
    assert client.get("/api/v1/matters/S02", headers={"Authorization": "Bearer wrong"}).status_code == 404


def test_the_matters_api_issues_a_bounded_number_of_queries(app, client, seeded, count_queries):
    with count_queries() as few:
        client.get("/api/v1/matters?per_page=200")
    with app.app_context():
        unit_id = db.session.scalar(select(Unit.id).where(Unit.code == "construction-bureau"))
        for i in range(80):
            db.session.add(Matter(number=f"X{i:03d}", title=f"synthetic {i}", origin="synthetic",
                                  is_synthetic=True, lead_unit_id=unit_id))
        db.session.commit()
    with count_queries() as many:
        client.get("/api/v1/matters?per_page=200")
    assert len(many) == len(few) <= 6


def test_the_openapi_document_describes_the_paths_that_exist(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    routes = {r.rule.removeprefix("/api/v1").replace("<number>", "{number}")
              .replace("<code>", "{code}").replace("<reference>", "{reference}")
              for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")}
    assert set(doc["paths"]) == routes - {"/openapi.json"}


@pytest.fixture
def tokens(app, seeded, make_user, runner):
    out = {}
    for name, role, unit in (("centre", "staff", "gov-service-centre"),
                             ("builder", "staff", "construction-bureau")):
        make_user(role, unit=unit, username=name)
        out[name] = {"Authorization": "Bearer " + runner.invoke(args=["tokens", "create", name]).output.strip()}
    return out


def test_staff_patch_their_unit_item_over_the_api(app, client, tokens):
    current = client.get("/api/v1/matters/S03").get_json()
    response = client.patch("/api/v1/matters/S03", headers=tokens["centre"], json={
        "status": "in_progress", "progress": 70, "note": "API 更新", "version": current["version"]})
    assert response.status_code == 200
    body = response.get_json()
    assert body["progress"] == 70 and body["version"] == current["version"] + 1
    with app.app_context():
        assert db.session.scalar(select(Matter.progress).where(Matter.number == "S03")) == 70


def test_patch_refusals_answer_in_the_contract_shape_and_change_nothing(app, client, tokens):
    version = client.get("/api/v1/matters/S03").get_json()["version"]
    cases = [
        ({}, {"note": "x", "version": version}, 401),
        (tokens["builder"], {"status": "completed", "note": "x", "version": version}, 403),
        (tokens["centre"], {"progress": 150, "status": "in_progress", "note": "x", "version": version}, 422),
        (tokens["centre"], {"progress": "ten", "note": "x", "version": version}, 422),
        (tokens["centre"], {"status": "done", "note": "x", "version": version}, 422),
        (tokens["centre"], {"progress": 20, "status": "in_progress", "note": "", "version": version}, 422),
        (tokens["centre"], {"progress": 20, "status": "in_progress", "note": "x"}, 422),
        (tokens["centre"], {"progress": 20, "status": "in_progress", "note": "x", "version": version - 1}, 409),
    ]
    for headers, payload, status in cases:
        response = client.patch("/api/v1/matters/S03", headers=headers, json=payload)
        assert response.status_code == status, (payload, response.get_json())
        assert set(response.get_json()["error"]) == {"code", "message", "fields"}
    conflict = client.patch("/api/v1/matters/S03", headers=tokens["centre"],
                            json={"progress": 20, "status": "in_progress", "note": "x", "version": 0})
    assert conflict.get_json()["current"]["version"] == version
    with app.app_context():
        assert db.session.scalar(select(Matter.version).where(Matter.number == "S03")) == version
