"""One JSON log line per request (time, request id, method, route template, status, duration,
user id), the id in X-Request-ID; errors logged with their traceback and the request id,
never shown on the page; no phone number in a line."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from service_desk import create_app
from service_desk.config import ConfigError

from ..factories import PHONE, user_id

HEX_ID = re.compile(r"[0-9a-f]{32}")


def lines(capsys, logger="service_desk.request") -> list[dict]:
    """The JSON lines written to stderr by ``logger`` since the last call."""
    found = []
    for line in capsys.readouterr().err.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("logger") == logger:
                found.append(record)
    return found


def one_line(capsys, response) -> dict:
    [record] = lines(capsys)
    assert record["request_id"] == response.headers["X-Request-ID"]
    return record


def test_one_json_line_per_request_with_its_fields(client, capsys):
    capsys.readouterr()
    response = client.get("/healthz")
    record = one_line(capsys, response)
    assert HEX_ID.fullmatch(record["request_id"])
    assert record["level"] == "INFO" and record["method"] == "GET"
    assert record["path"] == "/healthz" and record["status"] == 200
    assert isinstance(record["duration_ms"], float) and 0 <= record["duration_ms"] < 5000
    assert record["user_id"] is None
    logged_at = dt.datetime.fromisoformat(record["time"])
    assert abs(dt.datetime.now(dt.UTC) - logged_at) < dt.timedelta(minutes=1)
    # the next request has its own id
    assert client.get("/healthz").headers["X-Request-ID"] != response.headers["X-Request-ID"]


def test_a_signed_in_request_names_the_user_by_id(app, people, capsys):
    operator = people["op"]
    capsys.readouterr()
    response = operator.get("/hotline/")
    assert response.status_code == 200
    record = one_line(capsys, response)
    assert record["user_id"] == user_id(app, "op") and record["path"] == "/hotline/"
    assert "op" not in {str(v) for v in record.values()}  # the id, not the name


@pytest.mark.parametrize("incoming", ["abc-123.X_y", "a" * 64, "9f1c2d3e"])
def test_a_plain_incoming_request_id_is_kept(client, capsys, incoming):
    capsys.readouterr()
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response.headers["X-Request-ID"] == incoming
    assert one_line(capsys, response)["request_id"] == incoming


@pytest.mark.parametrize("incoming", ["a" * 65, "has space", "<script>", "id;rm", "编号", ""])
def test_an_unsafe_incoming_request_id_is_replaced(client, capsys, incoming):
    capsys.readouterr()
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert HEX_ID.fullmatch(response.headers["X-Request-ID"])
    assert one_line(capsys, response)["request_id"] == response.headers["X-Request-ID"]


@pytest.mark.parametrize("url,template", [
    (f"/api/v1/appointments/ABCD2345?phone={PHONE}", "/api/v1/appointments/<reference>"),
    (f"/my-booking/{PHONE}?phone={PHONE}", "/my-booking/<token>"),
    (f"/no-such-page/{PHONE}", None),
])
def test_no_phone_number_in_the_line_even_in_the_path_or_query(client, seeded, capsys, url,
                                                                template):
    capsys.readouterr()
    response = client.get(url)
    err = capsys.readouterr().err
    assert PHONE not in err and PHONE[-4:] + "?" not in err
    [record] = [json.loads(line) for line in err.splitlines()
                if '"service_desk.request"' in line]
    assert record["path"] == template and record["status"] == response.status_code
    assert record["request_id"] == response.headers["X-Request-ID"]


def test_a_request_refused_before_any_view_is_logged_with_its_id(client, capsys):
    capsys.readouterr()
    response = client.get("/book?q=%00")  # the input guard answers before any view
    assert response.status_code == 400
    assert one_line(capsys, response)["status"] == 400


def test_an_error_logs_its_traceback_with_the_request_id_and_never_shows_it(app, client, capsys,
                                                                            monkeypatch):
    def broken():
        raise RuntimeError("boom-marker: the disk is full")

    monkeypatch.setitem(app.view_functions, "main.healthz", broken)
    capsys.readouterr()
    response = client.get("/healthz")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "boom-marker" not in page and "Traceback" not in page and "RuntimeError" not in page
    err = capsys.readouterr().err
    records = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    [error] = [r for r in records if r["logger"] == "service_desk"]
    [request_line] = [r for r in records if r["logger"] == "service_desk.request"]
    assert error["level"] == "ERROR" and error["message"] == "unhandled error"
    assert "Traceback" in error["exc_info"] and "RuntimeError: boom-marker" in error["exc_info"]
    assert error["request_id"] == request_line["request_id"] == response.headers["X-Request-ID"]
    assert request_line["status"] == 500
    assert len(err.splitlines()) == 2  # one line each: the traceback is inside the JSON


def test_log_format_text_and_a_wrong_value(tmp_path, capsys):
    config = {"SECRET_KEY": "x", "ENV_NAME": "testing",
              "DATABASE_URL": f"sqlite:///{tmp_path}/text.sqlite3"}
    text_app = create_app({**config, "LOG_FORMAT": "text"})
    capsys.readouterr()
    response = text_app.test_client().get("/healthz")
    [line] = [x for x in capsys.readouterr().err.splitlines() if "service_desk.request" in x]
    assert f"INFO service_desk.request [{response.headers['X-Request-ID']}] GET /healthz 200 " \
        in line
    # development reads text, everywhere else JSON
    assert create_app({**config, "ENV_NAME": "development"}).extensions[
        "service_desk.log_format"] == "text"
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        create_app({**config, "LOG_FORMAT": "xml"})
