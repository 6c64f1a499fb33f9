"""Rectification statuses, deadline states and history entries in words (never colour alone)."""
from flask_babel import lazy_gettext as _l

from ..ratings.models import RectificationStatus
from ..requests.labels import EVENT_LABELS  # noqa: F401  (rating events are request events)

STATUS_LABELS = {
    RectificationStatus.OPEN: _l("Open: call back and act"),
    RectificationStatus.APPEALED: _l("Appealed: waiting for a supervisor"),
    RectificationStatus.FIXED: _l("Closed: fixed"),
    RectificationStatus.EXPLAINED: _l("Closed: cannot be fixed, explained to the resident"),
    RectificationStatus.APPEAL_UPHELD: _l("Closed: appeal upheld, rating left out"),
}

# the list's state filter (derived states are computed from the deadline, not stored)
STATE_LABELS = {
    "open": _l("Open: not closed yet"),
    "appealed": _l("Appealed"),
    "overdue": _l("Overdue"),
    "due_soon": _l("Due soon"),
    "closed": _l("Closed"),
}

OUTCOME_LABELS = {
    RectificationStatus.FIXED: _l("Fixed: the problem was put right"),
    RectificationStatus.EXPLAINED: _l("Cannot be fixed: the resident was told why"),
}

DONE = {
    "callback": _l("The call-back was recorded."),
    "close": _l("The rectification was closed."),
    "appeal": _l("The appeal was sent to the supervisors."),
    "uphold": _l("The appeal was upheld: the rating is left out of the figures."),
    "reject": _l("The appeal was rejected: the unit rectifies as before, by the same deadline."),
}
