"""Who a service is for. A service that names groups (``eligible_groups``, e.g. enterprises
only) takes requests only for those groups, on every channel and for bookings and reported
problems alike; a service that names none, or names "everyone", is for everyone.

"Everyone" next to groups (the hall appointment and the home visit: 有实际需要的企业群众 is
enterprises and the public with a real need) keeps the groups to prioritise and prepare, and
refuses no one; a service without it (the enterprise-only approvals) stays limited."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..catalog.models import Service, SpecialGroup
from .errors import RequestError


def groups_of(service: Service) -> list[SpecialGroup]:
    """The groups the service is limited to, in a fixed order; empty when it is for
    everyone. Unknown names in the catalogue are ignored."""
    named = set(service.eligible_groups or [])
    if SpecialGroup.EVERYONE.value in named:
        return []
    return [g for g in SpecialGroup if g.value in named]


def eligibility_check(service: Service, group: SpecialGroup | None) -> None:
    """Raise RequestError (field ``group``) unless ``group`` may ask for ``service``."""
    limited = groups_of(service)
    if limited and group not in limited:
        raise RequestError(_l("This service is for the groups listed: please choose one."),
                           "group")
