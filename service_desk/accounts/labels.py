"""Translated names of roles."""
from flask_babel import lazy_gettext as _l

from .models import Role

ROLE_LABELS = {
    Role.OPERATOR: _l("Hotline operator"),
    Role.STAFF: _l("Unit staff"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.ADMIN: _l("Administrator"),
    Role.LEADER: _l("District leader"),
}
