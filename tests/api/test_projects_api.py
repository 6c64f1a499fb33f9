"""The key projects in the JSON API (issue 14): GET /api/v1/projects and /projects/{code}
with a staff token, each project only for who may view it; PATCH for the responsible unit
with If-Match. Every answer is checked against the OpenAPI document (``ApiClient``)."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from service_desk.audit.models import AuditEvent
from service_desk.extensions import db
from service_desk.projects.models import KeyProject, MilestoneKind, TaskTeamMember
from service_desk.units.models import Unit

from .api_helpers import assert_error

SEEDED = 12


@pytest.fixture
def tokens(app, seeded, make_user, runner):
    """Tokens of: commerce-bureau staff (owner of 鸿瑞), construction staff (on 威东's team),
    gov-service-centre staff (no project), a supervisor, the leader of 鸿瑞, an admin."""
    people = {"trade": ("staff", "commerce-bureau"), "builder": ("staff", "construction-bureau"),
              "centre": ("staff", "gov-service-centre"), "sup": ("supervisor", None),
              "lead": ("leader", None), "root": ("admin", None), "op": ("operator", None)}
    out = {}
    for name, (role, unit) in people.items():
        make_user(role, unit=unit, username=name)
        out[name] = runner.invoke(args=["tokens", "create", name]).output.strip()
    with app.app_context():
        from service_desk.accounts.models import User

        lead = db.session.scalar(select(User).where(User.username == "lead"))
        hongrui = db.session.scalar(select(KeyProject).where(KeyProject.code == "hongrui-medical"))
        hongrui.leader_user_id = lead.id
        weidong = db.session.scalar(select(KeyProject).where(KeyProject.code == "weidong-cbec")
                                    .options(selectinload(KeyProject.team)))
        unit = db.session.scalar(select(Unit).where(Unit.code == "construction-bureau"))
        weidong.team.append(TaskTeamMember(unit_id=unit.id, name="王工", duty="联络"))
        db.session.commit()
        db.session.remove()
    return out


def _codes(api, token, query: str = "") -> set[str]:
    response = api.as_user(token).get(f"/api/v1/projects?per_page=200{query}")
    assert response.status_code == 200
    return {p["code"] for p in response.get_json()["items"]}


def test_the_seeded_projects_are_listed_with_their_milestones(api, tokens):
    body = api.as_user(tokens["sup"]).get("/api/v1/projects?per_page=200").get_json()
    assert body["total"] == SEEDED
    projects = {p["code"]: p for p in body["items"]}
    weidong = projects["weidong-cbec"]
    assert (weidong["total_investment"], weidong["total_investment_currency"]) == (
        "50000000.00", "USD")
    assert [(m["kind"], m["planned_on"], m["planned_precision"], m["actual_on"],
             m["actual_precision"], m["amount"], m["currency"]) for m in weidong["milestones"]] == [
        ("signing", None, "quarter", "2021-01-01", "quarter", None, None),
        ("registration", None, "month", "2021-04-01", "month", None, None),
        ("funds_arrival", "2021-06-01", "month", None, None, "10000000.00", "USD")]
    assert weidong["team"] == [{"unit": "construction-bureau", "unit_name": weidong["team"][0][
        "unit_name"], "name": "王工", "duty": "联络"}]
    funds = weidong["milestones"][2]
    assert funds["overdue"] and not funds["done"] and weidong["overdue"]  # June 2021 is past
    hongrui = projects["hongrui-medical"]
    assert hongrui["unit"] == "commerce-bureau" and hongrui["expected_sales_approximate"]
    assert hongrui["source_quote"].startswith("近期,总投资3亿美元")
    one = api.as_user(tokens["sup"]).get("/api/v1/projects/weidong-cbec")
    assert one.status_code == 200 and one.get_json() == weidong
    assert one.headers["ETag"] == f'"{weidong["version"]}"'


def test_each_token_sees_only_the_projects_its_user_may_view(api, tokens):
    assert "hongrui-medical" in _codes(api, tokens["trade"])
    assert "weidong-cbec" not in _codes(api, tokens["trade"])
    assert _codes(api, tokens["builder"]) == {"weidong-cbec"}  # on the task team
    assert _codes(api, tokens["lead"]) == {"hongrui-medical"}  # the leader in charge
    assert _codes(api, tokens["centre"]) == set()
    assert len(_codes(api, tokens["root"])) == SEEDED
    assert _codes(api, tokens["sup"], "&unit=construction-bureau") == {"weidong-cbec"}
    assert _codes(api, tokens["sup"], "&stage=opened") == set()
    assert_error(api.as_user(tokens["sup"]).get("/api/v1/projects?stage=flying"), 422)
    # another unit's project is not there at all
    assert_error(api.as_user(tokens["centre"]).get("/api/v1/projects/hongrui-medical"), 404)
    assert_error(api.as_user(tokens["lead"]).get("/api/v1/projects/weidong-cbec"), 404)
    assert_error(api.get("/api/v1/projects/nope"), 401)
    assert_error(api.as_user(tokens["op"]).get("/api/v1/projects"), 403)


def test_the_public_gets_401(api, tokens):
    for url in ("/api/v1/projects", "/api/v1/projects/hongrui-medical"):
        error = assert_error(api.get(url), 401)
        assert error["code"] == "unauthorized"
    assert_error(api.patch("/api/v1/projects/hongrui-medical", json={"stage": "approval"}), 401)
    assert_error(api.as_user("not-a-token").get("/api/v1/projects"), 401)


def test_the_responsible_unit_patches_with_if_match(app, api, tokens):
    trade = api.as_user(tokens["trade"])
    etag = trade.get("/api/v1/projects/hongrui-medical").headers["ETag"]
    ok = trade.patch("/api/v1/projects/hongrui-medical", check_request=True,
                     headers={"If-Match": etag},
                     json={"stage": "land_supply", "funds_arrival_actual": "2021-06",
                           "construction_start_planned": "2022-Q1", "leader": "张区长"})
    assert ok.status_code == 200, ok.get_json()
    body = ok.get_json()
    assert (body["stage"], body["leader"]) == ("land_supply", "张区长")
    kinds = {m["kind"]: m for m in body["milestones"]}
    assert (kinds["funds_arrival"]["actual_on"], kinds["funds_arrival"]["actual_precision"],
            kinds["funds_arrival"]["planned_on"], kinds["funds_arrival"]["amount"]) == (
        "2021-06-01", "month", "2021-06-01", "20000000.00")  # the rest of it kept
    assert (kinds["construction_start"]["planned_on"],
            kinds["construction_start"]["planned_precision"]) == ("2022-01-01", "quarter")
    assert ok.headers["ETag"] != etag and ok.headers["ETag"] == f'"{body["version"]}"'
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.object_type == "key_project").order_by(AuditEvent.id))]
    assert actions == ["project.update", "project.milestone_set", "project.milestone_set"]
    # the old ETag is stale now: 412 with the project as it is
    stale = trade.patch("/api/v1/projects/hongrui-medical", headers={"If-Match": etag},
                        json={"stage": "approval"})
    assert assert_error(stale, 412)["code"] == "precondition_failed"
    assert stale.get_json()["current"]["stage"] == "land_supply"
    assert stale.headers["ETag"] == ok.headers["ETag"]
    # clearing a kind's dates removes it
    cleared = trade.patch("/api/v1/projects/hongrui-medical",
                          headers={"If-Match": ok.headers["ETag"]},
                          json={"construction_start_planned": None})
    assert cleared.status_code == 200
    assert "construction_start" not in {m["kind"] for m in cleared.get_json()["milestones"]}


def test_a_write_without_a_version_is_428_and_a_stale_body_version_409(api, tokens):
    trade = api.as_user(tokens["trade"])
    error = assert_error(trade.patch("/api/v1/projects/hongrui-medical",
                                     json={"stage": "approval"}), 428)
    assert error["code"] == "precondition_required"
    assert_error(trade.patch("/api/v1/projects/hongrui-medical", headers={"If-Match": "*"},
                             json={"stage": "approval"}), 428)
    version = trade.get("/api/v1/projects/hongrui-medical").get_json()["version"]
    assert_error(trade.patch("/api/v1/projects/hongrui-medical",
                             json={"stage": "approval", "version": version + 5}), 409)
    ok = trade.patch("/api/v1/projects/hongrui-medical",
                     json={"stage": "approval", "version": version})
    assert ok.status_code == 200 and ok.get_json()["stage"] == "approval"


def test_only_the_responsible_unit_may_patch(api, tokens):
    for who in ("sup", "lead"):  # they may read it, not change it
        client = api.as_user(tokens[who])
        etag = client.get("/api/v1/projects/hongrui-medical").headers["ETag"]
        assert_error(client.patch("/api/v1/projects/hongrui-medical", headers={"If-Match": etag},
                                  json={"stage": "approval"}), 403)
    assert_error(api.as_user(tokens["centre"]).patch(
        "/api/v1/projects/hongrui-medical", headers={"If-Match": '"1"'},
        json={"stage": "approval"}), 404)
    # the task team's unit is responsible too
    builder = api.as_user(tokens["builder"])
    etag = builder.get("/api/v1/projects/weidong-cbec").headers["ETag"]
    assert builder.patch("/api/v1/projects/weidong-cbec", headers={"If-Match": etag},
                         json={"completion_planned": "2022-06"}).status_code == 200


@pytest.mark.parametrize("body", [
    {"stage": "flying"}, {"total_investment": "3e8"}, {"total_investment_currency": "usd"},
    {"signing_actual": "2021-02-30"}, {"signing_actual": "2999-01"},
    {"funds_arrival_planned": "June"}, {"unknown": 1}, {"investment_approximate": "yes"},
    {"total_investment": "100", "total_investment_currency": None},  # an amount needs one
    {"funds_arrival_planned": None, "funds_arrival_amount": "5"},  # an amount needs a date
])
def test_bad_fields_are_422_naming_them(app, api, tokens, body):
    """Nothing is stored: not even the good fields of the same body."""
    trade = api.as_user(tokens["trade"])
    etag = trade.get("/api/v1/projects/hongrui-medical").headers["ETag"]
    error = assert_error(trade.patch("/api/v1/projects/hongrui-medical",
                                     headers={"If-Match": etag}, json=body), 422)
    assert error["fields"]
    with app.app_context():
        project = db.session.scalar(select(KeyProject).where(
            KeyProject.code == "hongrui-medical").options(selectinload(KeyProject.milestones)))
        assert project.stage is None and project.total_investment == 300_000_000
        assert [m.kind for m in project.milestones] == [MilestoneKind.FUNDS_ARRIVAL]
