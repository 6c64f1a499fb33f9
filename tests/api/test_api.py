"""The JSON API: units, the ledger with filters and pages, the contract's error shape."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service_desk.extensions import db
from service_desk.matters.models import KeyIssue, Matter

from ..factories import add_synthetic_matters


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
    add_synthetic_matters(app, 80)
    with count_queries() as many:
        client.get("/api/v1/matters?per_page=200")
    assert len(many) == len(few) <= 6


def test_the_openapi_document_describes_the_operations_that_exist(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    routes = {(method.lower(), r.rule.removeprefix("/api/v1").replace("<number>", "{number}")
               .replace("<code>", "{code}").replace("<reference>", "{reference}"))
              for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")
              for method in r.methods - {"HEAD", "OPTIONS"}}
    documented = {(method, path) for path, ops in doc["paths"].items() for method in ops}
    assert documented == routes - {("get", "/openapi.json")}


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
        (tokens["centre"], {"progress": 20, "status": "in_progress", "note": "x"}, 428),
        (tokens["centre"], {"progress": 20, "note": "x", "version": "3"}, 422),
        (tokens["centre"], {"progress": 20, "note": "x", "version": version, "colour": "red"}, 422),
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


def test_key_issues_count_the_items_the_caller_may_see(app, client, seeded, tokens):
    with app.app_context():
        issue = KeyIssue(number=1, title="群众办事难", title_en="Hard to get things done")
        db.session.add(issue)
        db.session.flush()
        for number in ("S02", "S03"):
            db.session.scalar(select(Matter).where(Matter.number == number)).key_issue_id = issue.id
        db.session.scalar(select(Matter).where(Matter.number == "S02")).is_public = False
        db.session.commit()
    public = client.get("/api/v1/key-issues").get_json()
    assert public["total"] == 1 and public["items"][0]["matters"] == 1
    assert public["items"][0]["title"] == "群众办事难"
    staff = client.get("/api/v1/key-issues", headers=tokens["centre"]).get_json()
    assert staff["items"][0]["matters"] == 2


def test_a_matter_carries_its_version_as_etag_and_if_match_guards_the_patch(app, client, tokens):
    read = client.get("/api/v1/matters/S03")
    etag = read.headers["ETag"]
    assert etag == f'"{read.get_json()["version"]}"'
    ok = client.patch("/api/v1/matters/S03", headers={**tokens["centre"], "If-Match": etag},
                      json={"progress": 40, "status": "in_progress", "note": "第一次"})
    assert ok.status_code == 200 and ok.headers["ETag"] != etag
    # a second client still holding the old ETag is refused with the item as it is now
    late = client.patch("/api/v1/matters/S03", headers={**tokens["centre"], "If-Match": etag},
                        json={"progress": 10, "status": "in_progress", "note": "覆盖？"})
    assert late.status_code == 412
    body = late.get_json()
    assert body["error"]["code"] == "precondition_failed" and body["current"]["progress"] == 40
    assert late.headers["ETag"] == ok.headers["ETag"]
    star = client.patch("/api/v1/matters/S03", headers={**tokens["centre"], "If-Match": "*"},
                        json={"progress": 10, "status": "in_progress", "note": "x"})
    assert star.status_code == 428
    with app.app_context():
        matter = db.session.scalar(select(Matter).where(Matter.number == "S03"))
        assert matter.progress == 40 and f'"{matter.version}"' == ok.headers["ETag"]


def test_a_revoked_token_or_a_deactivated_account_stops_working_at_once(app, client, tokens):
    from service_desk.accounts.models import ApiToken, User
    from service_desk.accounts.services import token_revoke, user_deactivate

    version = client.get("/api/v1/matters/S03").get_json()["version"]
    change = {"note": "x", "progress": 10, "status": "in_progress", "version": version}
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "centre"))
        token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
        token_revoke(token=token, actor="test")
        db.session.commit()
    assert client.patch("/api/v1/matters/S03", headers=tokens["centre"], json=change).status_code == 401
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "builder"))
        user_deactivate(user=user, actor="test")
        db.session.commit()
    response = client.patch("/api/v1/matters/S06", headers=tokens["builder"], json=change)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.commits  # a real HTTP server in a thread, the script in a subprocess
def test_done_when_a_bearer_token_script_updates_a_matters_progress(app, runner, seeded,
                                                                     make_user):
    """The README's script, run as a program against a real HTTP server, with a token the
    command line made: progress stored, history and audit written, a stale ETag refused."""
    import subprocess
    import sys
    import threading
    from pathlib import Path

    from werkzeug.serving import make_server

    from service_desk.audit.models import AuditEvent
    from service_desk.matters.models import MatterUpdate

    make_user("staff", unit="gov-service-centre", username="scripted")
    token = runner.invoke(args=["tokens", "create", "scripted", "--label", "progress script"]) \
        .output.strip()
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    script = Path(__file__).resolve().parents[2] / "scripts" / "update_matter.py"
    try:
        done = subprocess.run(
            [sys.executable, str(script), "S03", "--progress", "60", "--status", "in_progress",
             "--note", "完成选址", "--base-url", f"http://127.0.0.1:{server.server_port}"],
            env={"SERVICE_DESK_TOKEN": token, "PATH": "/usr/bin:/bin"},
            capture_output=True, text=True, timeout=60, check=False)
        refused = subprocess.run(
            [sys.executable, str(script), "S03", "--progress", "60", "--note", "x",
             "--base-url", f"http://127.0.0.1:{server.server_port}", "--token", "wrong"],
            capture_output=True, text=True, timeout=60, check=False)
    finally:
        server.shutdown()
        thread.join(5)
    assert done.returncode == 0, done.stderr
    assert "S03: in_progress 60%" in done.stdout
    assert refused.returncode == 1 and "401" in refused.stderr
    with app.app_context():
        matter = db.session.scalar(select(Matter).where(Matter.number == "S03"))
        assert matter.progress == 60
        update = db.session.scalar(select(MatterUpdate).where(MatterUpdate.matter_id == matter.id,
                                                              MatterUpdate.note == "完成选址"))
        assert update is not None and update.progress_after == 60
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "matter.update"))
        assert audit.actor_label == "scripted" and audit.object_id == "S03"
        assert audit.after["progress"] == 60
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "token.create"))
