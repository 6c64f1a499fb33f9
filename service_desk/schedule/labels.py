"""Translated words for appointment statuses and residents' groups (never colour alone)."""
from flask_babel import lazy_gettext as _l

from ..bookings.models import RequestStatus
from ..catalog.models import Channel, SpecialGroup

# the statuses an appointment goes through, in the order the week table shows them
APPOINTMENT_STATUSES = (RequestStatus.BOOKED, RequestStatus.ARRIVED, RequestStatus.COMPLETED,
                        RequestStatus.NO_SHOW, RequestStatus.CANCELLED)

STATUS_LABELS = {
    RequestStatus.BOOKED: _l("Booked"),
    RequestStatus.ARRIVED: _l("Arrived"),
    RequestStatus.NO_SHOW: _l("No-show"),
    RequestStatus.DISPATCHED: _l("Dispatched"),
    RequestStatus.ACCEPTED: _l("Accepted"),
    RequestStatus.RETURNED: _l("Returned"),
    RequestStatus.RESOLVED: _l("Resolved"),
    RequestStatus.CALLED_BACK: _l("Called back"),
    RequestStatus.COMPLETED: _l("Completed"),
    RequestStatus.CANCELLED: _l("Cancelled"),
}

# what the staff member's button says for each change
ACTION_LABELS = {
    RequestStatus.ARRIVED: _l("Mark arrived"),
    RequestStatus.COMPLETED: _l("Mark completed"),
    RequestStatus.NO_SHOW: _l("Mark no-show"),
    RequestStatus.CANCELLED: _l("Cancel the booking"),
}

GROUP_LABELS = {
    SpecialGroup.ELDERLY: _l("Elderly resident"),
    SpecialGroup.DISABLED: _l("Person with a disability"),
    SpecialGroup.PREGNANT: _l("Pregnant woman"),
    SpecialGroup.ENTERPRISE: _l("Enterprise"),
    SpecialGroup.EVERYONE: _l("Resident"),
}

CHANNEL_LABELS = {
    Channel.PHONE: _l("by phone"),
    Channel.WECHAT: _l("on WeChat"),
    Channel.WEB: _l("on the web"),
    Channel.WALK_IN: _l("at the counter"),
    Channel.OPEN311: _l("through Open311"),
}

# a booking's history entries (RequestEvent.action) in words
EVENT_LABELS = {
    "booked": _l("Booked"),
    "rescheduled": _l("Moved to another time"),
    "cancelled": _l("Cancelled"),
    "assigned": _l("Assigned"),
    "arrived": _l("Arrived"),
    "completed": _l("Completed"),
    "no_show": _l("No-show"),
}
