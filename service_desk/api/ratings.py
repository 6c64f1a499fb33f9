"""好差评 over the API: a resident rates a finished service by reference + phone, and the
public satisfaction figures (no personal data: units are public bodies)."""
from __future__ import annotations

import calendar
import datetime as dt
import re

from flask import jsonify, request
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..base.limits import lookup_budget, read_limit, write_limit
from ..catalog.models import Channel, Service
from ..extensions import db, limiter
from ..permissions import may_rate_as_resident
from ..ratings.models import GOOD_LEVELS, RatingSource
from ..ratings.services import COMMENT_MAX, AlreadyRated, NotRateable, RatingError, rating_give
from ..ratings.stats import StatsFilter, rating_figures
from ..units.models import Unit
from . import bp
from .appointments import PHONE, own_booking
from .auth import api_user
from .body import ApiProblem, Field, invalid, json_body

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
RATE_FIELDS = {
    "phone": PHONE,
    "level": Field(int, required=True, doc={
        "minimum": 1, "maximum": 5,
        "description": "5 非常满意 very satisfied, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意"}),
    "comment": Field(str, nullable=True, max_length=COMMENT_MAX),
}


def rating_json(rating, reference: str) -> dict:
    return {"reference": reference, "level": rating.level, "comment": rating.comment,
            "good": rating.level in [int(x) for x in GOOD_LEVELS],
            "created_at": rating.created_at.isoformat(), "source": rating.source.value}


@bp.post("/appointments/<reference>/rating")
@limiter.limit(write_limit)
@lookup_budget  # it takes a reference and a phone like the other look-ups
def rate(reference: str):
    """{"phone", "level" (1–5, 5 = 非常满意), "comment"}: once, after the service finished."""
    body = json_body(RATE_FIELDS)
    if not 1 <= body["level"] <= 5:
        raise invalid({"level": "an integer from 1 (very dissatisfied) to 5 (very satisfied)"})
    item, _service = own_booking(reference, body["phone"])
    if not may_rate_as_resident(api_user(), item):
        raise ApiProblem(403, "forbidden", "the unit that served cannot rate its own service")
    try:
        rating = rating_give(request=item, level=body["level"], comment=body.get("comment"),
                             source=RatingSource.API)
        db.session.commit()
    except NotRateable as exc:
        db.session.rollback()
        raise ApiProblem(409, "not_rateable", str(exc.message)) from None
    except (AlreadyRated, StaleDataError):
        db.session.rollback()
        raise ApiProblem(409, "already_rated", str(AlreadyRated().message)) from None
    except RatingError as exc:
        db.session.rollback()
        raise invalid({exc.field: exc.message} if exc.field else {}, str(exc.message)) from None
    return jsonify(rating_json(rating, item.reference)), 201


def _month(name: str, *, last: bool) -> dt.date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    match = MONTH.match(raw)
    if match is None or int(match[1]) < dt.MINYEAR:  # 0000-01: no such month
        raise ApiProblem(422, "invalid_parameter",
                         f"{name} must be a month YYYY-MM, from 0001-01 to 9999-12",
                         {name: "a month YYYY-MM, from 0001-01 to 9999-12"})
    year, month = int(match[1]), int(match[2])
    return dt.date(year, month, calendar.monthrange(year, month)[1] if last else 1)


def _code(name: str, model, column) -> int | None:
    raw = request.args.get(name)
    if not raw:
        return None
    found = db.session.scalar(select(model.id).where(column == raw))
    if found is None:
        raise ApiProblem(422, "invalid_parameter", f"unknown {name}", {name: f"unknown {name} code"})
    return found


def _figures(f) -> dict:
    return {"completed": f.completed, "rated": f.rated, "good": f.good,
            "evaluation_rate": f.evaluation_rate, "good_rating_rate": f.good_rating_rate}


@bp.get("/stats/ratings")
@limiter.limit(read_limit)
def rating_stats():
    """Evaluation rate (rated ÷ completed) and good-rating rate (good ÷ rated), overall and
    per unit; filters ``from``/``to`` (YYYY-MM, by month finished), ``unit``, ``service``,
    ``channel``."""
    first, last = _month("from", last=False), _month("to", last=True)
    if first and last and last < first:
        raise ApiProblem(422, "invalid_parameter", "to is before from", {"to": "not before from"})
    channel = None
    if request.args.get("channel"):
        try:
            channel = Channel(request.args["channel"])
        except ValueError:
            raise ApiProblem(422, "invalid_parameter", "unknown channel",
                             {"channel": "one of " + ", ".join(c.value for c in Channel)}) from None
    stats = rating_figures(StatsFilter(first=first, last=last,
                                       unit_id=_code("unit", Unit, Unit.code),
                                       service_id=_code("service", Service, Service.code),
                                       channel=channel))
    return jsonify(
        good_levels=[int(x) for x in GOOD_LEVELS], **_figures(stats.overall),
        levels={str(level): n for level, n in sorted(stats.levels.items())},
        units=[{"code": row.key, "name": row.label, "name_en": row.label_en,
                **_figures(row.figures)} for row in stats.by_unit],
        filters={"from": request.args.get("from"), "to": request.args.get("to"),
                 "unit": request.args.get("unit"), "service": request.args.get("service"),
                 "channel": request.args.get("channel")})
