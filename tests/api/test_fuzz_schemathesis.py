"""Schemathesis fuzzes every operation of the OpenAPI document in-process (WSGI), anonymously,
with a staff token and with an administrator's token: no answer may be a server error, and
every answer must match the document (status code, content type, body schema, headers).

Deterministic (a fixed seed, derandomized Hypothesis, no example database) and bounded
(FUZZ_EXAMPLES per operation and generation mode, after the coverage phase's boundary and
negative cases), so a failure reproduces with the same command. The world (the seeded ledger
and catalogue, a booking, a dispatched report, two tokens) is committed once for the module and
wiped after it; each operation × identity runs in its own rolled-back transaction on top, so
every operation starts from the same world. A share of the generated cases is aimed at the
world's references, matters and services (and the booking's phone), so the fuzzing reaches the
services, not only 404s.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from service_desk.api.openapi import DOCUMENT
from service_desk.requests.models import RequestStatus

from ..conftest import wipe
from ..factories import (
    EIGHT_TO_EIGHT,
    PHONE,
    add_booking,
    free_times,
    open_every_day,
    report,
)

# a deeper run: SERVICE_DESK_FUZZ_EXAMPLES=300 (CI keeps the default)
FUZZ_EXAMPLES = int(os.environ.get("SERVICE_DESK_FUZZ_EXAMPLES", "10"))
SEED = 20260302
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance, negative_data_rejection,
          missing_required_header, unsupported_method, allow_header_conformance]


def fuzz_schema(*, security_parameters: bool):
    """The document as Schemathesis reads it. ``security_parameters``: whether it also makes up
    Authorization headers (and leaves them out in negative cases): for anonymous calls only,
    since a call with a real token would overwrite them."""
    config = SchemathesisConfig.from_dict({
        "seed": SEED,
        "suppress-health-check": ["all"],
        "generation": {"max-examples": FUZZ_EXAMPLES, "deterministic": True, "database": "none",
                       "mode": "all", "with-security-parameters": security_parameters},
        "phases": {"stateful": {"enabled": False}},
    })
    return schemathesis.openapi.from_dict(DOCUMENT, config=config)


anonymous_schema = fuzz_schema(security_parameters=True)
token_schema = fuzz_schema(security_parameters=False)

# filled by the ``world`` fixture: what an aimed case may name, and the tokens
KNOWN: dict[str, list] = {}
TOKENS: dict[str, str] = {}
# body and query fields an aimed case fills with a real value (by the operation's path)
SERVICE_OF = {"/appointments": "appointment", "/reports": "hotline"}
FIXED = {"phone": PHONE, "name": "李阿姨", "group": "elderly", "channel": "web", "level": 5,
         "satisfaction": "satisfied", "version": 1}


def _aim(case, index: int):
    """The case with real references, matters, services, units, a free start and the
    booking's phone where it has such fields; the rest stays as generated."""
    pick = lambda values: values[index % len(values)]
    for name in (case.path_parameters or {}):
        if name in KNOWN:
            case.path_parameters[name] = pick(KNOWN[name])
    if isinstance(case.body, dict):
        for name in case.body:
            if name in FIXED:
                case.body[name] = FIXED[name]
            elif name == "service_code":
                case.body[name] = SERVICE_OF.get(case.operation.path, "hotline")
            elif name in ("start", "unit"):
                case.body[name] = pick(KNOWN[name])
    if isinstance(case.query, dict):
        for name in case.query:
            if name == "phone":
                case.query[name] = PHONE
            elif name in ("unit", "service"):
                case.query[name] = pick(KNOWN["unit" if name == "unit" else "code"])
    return case


@anonymous_schema.hook("flatmap_case")
@token_schema.hook("flatmap_case")
def aim_some(context, case):
    """Half the positive cases are aimed at the world (``_aim``); negative ones stay as
    generated, so that what they break is what the check expects to be refused."""
    meta = case.meta
    if not KNOWN or (meta is not None and not meta.generation.mode.is_positive):
        return st.just(case)
    return st.tuples(st.integers(0, 5), st.booleans()).map(
        lambda pick: _aim(case, pick[0]) if pick[1] else case)


@pytest.fixture(scope="module")
def world(app):
    """Committed once for the module, wiped after it (every test on top rolls back)."""
    from service_desk.accounts.models import User
    from service_desk.accounts.services import parse_role, token_create, user_create
    from service_desk.extensions import db
    from service_desk.seeding import seed_load

    try:
        with app.app_context():
            seed_load()
            db.session.commit()
            db.session.remove()
        open_every_day(app, capacity=2, ahead=30, periods=EIGHT_TO_EIGHT)
        starts = [slot.start for slot in free_times(app, count=4)]
        booked = app.test_client().post("/api/v1/appointments", json={
            "service_code": "appointment", "start": starts[0].isoformat(), "name": "李阿姨",
            "phone": PHONE, "group": "elderly"})
        assert booked.status_code == 201, booked.get_data(as_text=True)
        finished = add_booking(app, reference="FZZ23456", start=starts[1],
                               status=RequestStatus.COMPLETED)
        with app.app_context():
            for name, role, unit in (("staff", "staff", "gov-service-centre"),
                                     ("admin", "admin", None)):
                user_create(username=f"fuzz-{name}", password="fuzz-password-1",
                            role=parse_role(role), unit_code=unit, actor="test")
                db.session.flush()
                user = db.session.query(User).filter_by(username=f"fuzz-{name}").one()
                TOKENS[name] = token_create(user=user, actor="test")
            db.session.commit()
            db.session.remove()
        KNOWN.update({"reference": [booked.get_json()["reference"], report(app), finished],
                      "number": ["S07", "S03", "S01"],
                      # services, then key projects (an admin's token sees every project)
                      "code": ["appointment", "hotline", "home-visit", "hongrui-medical",
                               "weidong-cbec"],
                      "unit": ["gov-service-centre", "construction-bureau"],
                      "start": [start.isoformat() for start in starts[1:]]})
        yield
    finally:
        KNOWN.clear()
        TOKENS.clear()
        wipe(app)


@anonymous_schema.parametrize()
def test_anonymous_calls_never_answer_a_server_error(app, world, case):
    case.call_and_validate(app=app, checks=CHECKS)


@pytest.mark.parametrize("who", ["staff", "admin"])
@token_schema.parametrize()
def test_calls_with_a_token_never_answer_a_server_error(app, world, who, case):
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {TOKENS[who]}"},
                           checks=CHECKS)


def test_the_fuzzing_catches_a_server_error(app, world, monkeypatch):
    """The checks as configured fail on a 500 (here planted in the units list)."""
    from schemathesis.core.failures import FailureGroup

    from service_desk.api import routes

    case = anonymous_schema["/units"]["GET"].Case()
    case.call_and_validate(app=app, checks=CHECKS)
    monkeypatch.setattr(routes, "unit_json", lambda unit: 1 / 0)
    with pytest.raises(FailureGroup, match="Server error"):
        case.call_and_validate(app=app, checks=CHECKS)
