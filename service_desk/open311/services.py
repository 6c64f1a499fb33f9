"""Writes of the Open311 adapter: a posted request, checked field by field, becomes a normal
dispatched request (bookings/dispatch.py report_create) in the unit's queue.

What the desk needs beyond the specification's required fields, and why:
- a mainland mobile number: the unit's reply goes by text message and the request is called
  back (回访) on that number; a request nobody can reach is refused (400). The specification
  makes ``phone`` optional, so every service definition declares a required ``phone``
  attribute, which a generic client shows in its form: ``phone`` or ``attribute[phone]``.
- a name: staff address the resident by it on the call-back: ``first_name``/``last_name``
  (either) or the definition's required ``attribute[name]``.
- ``description``: what the problem is; the unit cannot act on a location alone.
- a location as the specification requires: ``lat`` & ``long`` or ``address_string``. The
  zone has no master address repository, so ``address_id`` alone is refused (400).
``email``, ``media_url`` and the service definition's attributes are kept with the request;
``device_id`` and ``account_id`` are not kept (the desk has no client accounts).
"""
from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from ..accounts.models import ApiKey
from ..base.phones import normalise_mobile
from ..catalog.models import Channel, Service
from ..requests.errors import RequestError
from ..requests.lifecycle import MAX_TEXT, report_create
from ..requests.models import ServiceRequest
from ..requests.residents import ResidentError, resident_check
from .definitions import AttributeErrors, attributes_check
from .xmlchars import has_unsafe

EMAIL_MAX = 254
MEDIA_URL_MAX = 500
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
_CJK = re.compile(r"[\u3400-\u9fff]")
# resident_check's field names -> the Open311 parameters they come from
_RESIDENT_FIELDS = {"name": "first_name", "phone": "phone", "address": "address_string",
                    "group": "attribute[group]", "needs": "attribute[needs]"}


class Open311Error(Exception):
    """A refused call: the HTTP status and one description per problem."""

    def __init__(self, status: int, descriptions: list) -> None:
        super().__init__("; ".join(str(d) for d in descriptions))
        self.status = status
        self.descriptions = [str(d) for d in descriptions]


def field_error(name: str, message) -> str:
    """A description naming the parameter first, so a client can tell which field is wrong."""
    return f"{name}: {message}"


@dataclass(frozen=True)
class Posted:
    """The parameters of a POST, as strings (empty means not sent)."""

    values: dict[str, str]
    attributes: dict[str, list[str]]

    def get(self, name: str) -> str:
        return (self.values.get(name) or "").strip()


def posted_from(form) -> Posted:
    """Split a form (a MultiDict) into plain parameters and ``attribute[code]`` values."""
    values: dict[str, str] = {}
    attributes: dict[str, list[str]] = {}
    for key in form:
        match = _ATTRIBUTE.match(key)
        if match:
            attributes.setdefault(match.group(1), []).extend(form.getlist(key))
        else:
            values[key] = form.get(key, "")
    return Posted(values=values, attributes=attributes)


def _full_name(first: str, last: str) -> str:
    if _CJK.search(first + last):
        return f"{last}{first}"  # 王 + 大爷: family name first, no space
    return " ".join(part for part in (first, last) if part)


def _contact(posted: Posted, errors: list[str]) -> dict[str, tuple[str, str]]:
    """The resident's name and mobile number, each as (value, the parameter it came from):
    the specification's fields, or the definition's ``attribute[name]``/``attribute[phone]``
    that a generic client fills in from its form. Both sent and different is refused: the
    reply would go to one of them."""
    found: dict[str, tuple[str, str]] = {}
    for code, field, given in (
            ("name", "first_name", _full_name(posted.get("first_name"), posted.get("last_name"))),
            ("phone", "phone", posted.get("phone"))):
        values = list(dict.fromkeys(v.strip() for v in posted.attributes.get(code, [])
                                    if v and v.strip()))
        attribute = f"attribute[{code}]"
        if len(values) > 1:
            errors.append(field_error(attribute, _l("Send one value only.")))
        elif values and given and _differ(code, given, values[0]):
            errors.append(field_error(attribute, _l(
                "It differs from %(field)s: send one of them.", field=field)))
        found[code] = (given, field) if given or not values else (values[0], attribute)
    if not found["name"][0]:
        errors.append(field_error("first_name", _l(
            "A name is required (first_name or last_name, or attribute[name] of the service "
            "definition): staff use it when they call the resident back.")))
    if not found["phone"][0]:
        errors.append(field_error("phone", _l(
            "A mainland China mobile number is required (phone, or attribute[phone] of the "
            "service definition): the unit replies by text message and calls the resident "
            "back on it.")))
    return found


def _differ(code: str, one: str, other: str) -> bool:
    if code == "phone":
        return (normalise_mobile(one) or one) != (normalise_mobile(other) or other)
    return " ".join(one.split()) != " ".join(other.split())


def _coordinates(posted: Posted, errors: list[str]) -> tuple[float | None, float | None]:
    raw_lat, raw_long = posted.get("lat"), posted.get("long")
    if not raw_lat and not raw_long:
        return None, None
    if not raw_lat or not raw_long:
        errors.append(field_error("lat" if not raw_lat else "long",
                                  _l("Send lat and long together.")))
        return None, None
    found: list[float | None] = []
    for name, raw, bound in (("lat", raw_lat, 90.0), ("long", raw_long, 180.0)):
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or abs(value) > bound:
            errors.append(field_error(name, _l("Give a WGS84 coordinate in decimal degrees "
                                               "between -%(bound)d and %(bound)d.", bound=bound)))
            found.append(None)
        else:
            found.append(value)
    if None in found:
        return None, None
    return found[0], found[1]


def _media_url(raw: str, errors: list[str]) -> str | None:
    if not raw:
        return None
    parts = urlsplit(raw)
    if (parts.scheme not in ("http", "https") or not parts.netloc or len(raw) > MEDIA_URL_MAX
            or any(ch.isspace() for ch in raw)):
        errors.append(field_error("media_url", _l("Give an http or https address of at most "
                                                  "500 characters.")))
        return None
    return raw


def _email(raw: str, errors: list[str]) -> str | None:
    if not raw:
        return None
    if len(raw) > EMAIL_MAX or not _EMAIL.match(raw):
        errors.append(field_error("email", _l("Give a valid e-mail address.")))
        return None
    return raw


def request_post(*, service: Service, posted: Posted, api_key: ApiKey) -> ServiceRequest:
    """Check every parameter, then dispatch the request like the hotline would.

    All problems are reported at once (Open311Error 400); nothing is written then. Every
    request gets a token (tokens/{token}); a client sees it when the services are "batch"."""
    errors: list[str] = [
        field_error(name, _l("Remove the control characters: they cannot be stored or shown."))
        for name, values in (*((n, [v]) for n, v in posted.values.items()),
                             *((f"attribute[{c}]", vs) for c, vs in posted.attributes.items()))
        if any(has_unsafe(v) for v in values)]
    if errors:  # nothing else is checked on text that cannot be read back
        raise Open311Error(400, errors)
    lat, long = _coordinates(posted, errors)
    address = posted.get("address_string")
    if lat is None and long is None and not address and not errors:
        if posted.get("address_id"):
            errors.append(field_error("address_id", _l(
                "Addresses are not known here by id: send lat and long, or address_string.")))
        else:
            errors.append(field_error("location", _l(
                "A location is required: send lat and long, or address_string.")))
    if not address and lat is not None:
        address = f"{lat:.6f}, {long:.6f} (WGS84)"  # staff see where, even without an address
    description = posted.get("description")
    if not description:
        errors.append(field_error("description", _l(
            "Describe the problem: what, where, since when.")))
    elif len(description) > MAX_TEXT:
        errors.append(field_error("description", _l(
            "Please keep this to 4000 characters or fewer.")))
    contact = _contact(posted, errors)
    email = _email(posted.get("email"), errors)
    media_url = _media_url(posted.get("media_url"), errors)
    attributes: dict[str, object] = {}
    try:
        attributes = attributes_check(service, posted.attributes)
    except AttributeErrors as exc:
        errors.extend(field_error(name, message) for name, message in exc.errors)
    resident = None
    try:
        group = attributes.get("group")
        resident = resident_check(
            name=contact["name"][0], phone=contact["phone"][0], address=address,
            group=group if isinstance(group, str) else None,
            needs=attributes.get("needs") if isinstance(attributes.get("needs"), str) else None)
    except ResidentError as exc:
        for name, message in exc.errors.items():
            if name in contact:
                value, source = contact[name]
                if value:  # a missing one was said above
                    errors.append(field_error(source, message))
                continue
            errors.append(field_error(_RESIDENT_FIELDS.get(name, name), message))
    if errors:
        raise Open311Error(400, errors)
    try:
        return report_create(
            service=service, resident=resident, description=description,
            channel=Channel.OPEN311, actor=f"open311:{api_key.name}"[:100], lat=lat, long=long,
            email=email, media_url=media_url, attributes=attributes or None,
            api_key_id=api_key.id, open311_token=secrets.token_urlsafe(16))
    except RequestError as exc:
        name = _RESIDENT_FIELDS.get(exc.field or "", exc.field or "service_code")
        raise Open311Error(400, [field_error(name, exc.message)]) from exc
