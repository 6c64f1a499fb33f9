"""Service definitions: the extra fields (Open311 "attributes") a service asks for, and the
check of the values a client posts for them.

Our services carry no free-form field list; the fields follow from what the desk keeps on a
request. Every service asks for the resident's ``name`` and mobile ``phone`` (required): the
specification makes its ``first_name``/``last_name`` and ``phone`` optional, but the unit replies
by text message and calls the resident back (回访) on that number, so the zone declares them as
required attributes, which a generic client shows in its form. A client may send the
specification's own fields instead (services.py takes either). A service open only to some
groups (``eligible_groups``, e.g. enterprises) also asks who the request is for (``group``, kept
as the request's special group) and what help is needed (``needs``).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from ..catalog.models import Service
from ..requests.eligibility import groups_of
from ..requests.labels import GROUP_LABELS

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
STRING_MAX = 200
TEXT_MAX = 1000


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    required: bool
    description: object  # a lazy string: shown in the client's form
    order: int
    variable: bool = True
    datatype_description: object | None = None
    values: tuple[tuple[str, object], ...] = field(default_factory=tuple)


# the resident's contact, asked by every service; the values become the request's name and
# mobile (never kept among its attributes)
CONTACT = (
    Attribute(code="name", datatype="string", required=True, order=1,
              description=_l("Your name: staff use it when they call you back. (Or send "
                             "first_name and last_name.)"),
              datatype_description=_l("Up to 50 characters.")),
    Attribute(code="phone", datatype="string", required=True, order=2,
              description=_l("Your mobile number in mainland China: the unit replies by text "
                             "message and calls you back on it. (Or send phone.)"),
              datatype_description=_l("11 digits, such as 13812345678.")),
)
CONTACT_CODES = frozenset(a.code for a in CONTACT)


def _own_attributes(service: Service) -> list[Attribute]:
    """What a service asks beyond the contact: who it is for, for a service of some groups."""
    groups = groups_of(service)  # the same rule every channel applies
    if not groups:
        return []
    return [
        Attribute(code="group", datatype="singlevaluelist", required=True, order=3,
                  description=_l("Who is the request for?"),
                  values=tuple((g.value, GROUP_LABELS[g]) for g in groups)),
        Attribute(code="needs", datatype="text", required=False, order=4,
                  description=_l("Anything the staff should know to help, such as a wheelchair "
                                 "or sign language."),
                  datatype_description=_l("Up to 1000 characters.")),
    ]


def service_attributes(service: Service) -> list[Attribute]:
    """The attributes of ``service``'s definition, in their order: the contact, then its own."""
    return [*CONTACT, *_own_attributes(service)]


class AttributeErrors(ValueError):
    """Bad attribute values: a list of (parameter name, message)."""

    def __init__(self, errors: list[tuple[str, object]]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors))
        self.errors = errors


def _one(attr: Attribute, values: list[str]) -> tuple[object | None, object | None]:
    """(the checked value, None) or (None, the message)."""
    if attr.datatype == "multivaluelist":
        keys = {k for k, _ in attr.values}
        if any(v not in keys for v in values):
            return None, _l("Choose from the listed values.")
        return list(dict.fromkeys(values)), None
    if len(values) > 1:
        return None, _l("Send one value only.")
    value = values[0]
    if attr.datatype == "singlevaluelist":
        if value not in {k for k, _ in attr.values}:
            return None, _l("Choose one of the listed values.")
        return value, None
    if attr.datatype == "number":
        try:
            number = float(value)
        except ValueError:
            return None, _l("Enter a number.")
        if not math.isfinite(number):
            return None, _l("Enter a number.")
        return number, None
    if attr.datatype == "datetime":
        try:
            moment = dt.datetime.fromisoformat(value.replace(" ", "+"))
        except ValueError:
            return None, _l("Enter a date and time in ISO 8601, such as 2024-05-01T09:30:00+08:00.")
        return moment.isoformat(), None
    limit = STRING_MAX if attr.datatype == "string" else TEXT_MAX
    if attr.datatype == "string" and ("\n" in value or "\r" in value):
        return None, _l("Keep this to one line.")
    if len(value) > limit:
        return None, _l("This is too long (%(n)d characters at most).", n=limit)
    return value, None


def attributes_check(service: Service, posted: dict[str, list[str]]) -> dict[str, object]:
    """The posted ``attribute[code]`` values checked against ``service``'s own definition (the
    contact attributes are the caller's: services.py reads them with the specification's
    fields).

    Unknown codes, missing required values and values of the wrong type are all reported at
    once (AttributeErrors); empty values count as not sent."""
    definition = {a.code: a for a in _own_attributes(service)}
    errors: list[tuple[str, object]] = []
    checked: dict[str, object] = {}
    for code in posted:
        if code not in definition and code not in CONTACT_CODES:
            errors.append((f"attribute[{code}]", _l("This service has no such attribute.")))
    for attr in sorted(definition.values(), key=lambda a: a.order):
        values = [v.strip() for v in posted.get(attr.code, []) if v and v.strip()]
        if not values:
            if attr.required:
                errors.append((f"attribute[{attr.code}]", _l("This attribute is required.")))
            continue
        value, message = _one(attr, values)
        if message is not None:
            errors.append((f"attribute[{attr.code}]", message))
        else:
            checked[attr.code] = value
    if errors:
        raise AttributeErrors(errors)
    return checked
