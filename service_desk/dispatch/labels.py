"""Statuses, lifecycle steps and call-back answers in words (never colour alone)."""
from flask_babel import lazy_gettext as _l

from ..bookings.dispatch import Action, Satisfaction
from ..bookings.models import RequestStatus
from ..catalog.models import Channel, SpecialGroup

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

# RequestEvent.action -> words for the history
EVENT_LABELS = {
    "booked": _l("Booked"),
    "rescheduled": _l("Moved to another time"),
    "cancelled": _l("Cancelled"),
    "arrived": _l("Arrived"),
    "completed": _l("Completed"),
    "no_show": _l("No-show"),
    "dispatched": _l("Dispatched to the unit"),
    "accepted": _l("Accepted by the unit"),
    "handled": _l("Handling note"),
    "returned": _l("Returned by the unit"),
    "reassigned": _l("Reassigned by a supervisor"),
    "resolved": _l("Resolved, reply sent to the resident"),
    "called_back": _l("Resident called back"),
}

ACTION_TITLES = {
    Action.ACCEPT: _l("Accept the request"),
    Action.HANDLE: _l("Add a handling note"),
    Action.RESOLVE: _l("Resolve and reply to the resident"),
    Action.RETURN: _l("Return the request (wrongly dispatched)"),
    Action.REASSIGN: _l("Reassign to a unit"),
    Action.CALLBACK: _l("Call the resident back"),
}

ACTION_DONE = {
    Action.ACCEPT: _l("The request was accepted."),
    Action.HANDLE: _l("Your note was added."),
    Action.RESOLVE: _l("The request was resolved; the reply is on its way to the resident."),
    Action.RETURN: _l("The request was returned to the supervisors."),
    Action.REASSIGN: _l("The request was sent to the unit with a new deadline."),
    Action.CALLBACK: _l("The call-back was recorded."),
}

SATISFACTION_LABELS = {
    Satisfaction.VERY_SATISFIED: _l("Very satisfied"),
    Satisfaction.SATISFIED: _l("Satisfied"),
    Satisfaction.FAIRLY_SATISFIED: _l("Fairly satisfied"),
    Satisfaction.DISSATISFIED: _l("Dissatisfied"),
    Satisfaction.VERY_DISSATISFIED: _l("Very dissatisfied"),
}

CHANNEL_LABELS = {
    Channel.PHONE: _l("Hotline (phone)"),
    Channel.WECHAT: _l("WeChat"),
    Channel.WEB: _l("Website"),
    Channel.WALK_IN: _l("In person"),
    Channel.OPEN311: _l("Open311 application"),
}

GROUP_LABELS = {
    SpecialGroup.ELDERLY: _l("Elderly resident"),
    SpecialGroup.DISABLED: _l("Person with a disability"),
    SpecialGroup.PREGNANT: _l("Pregnant woman"),
    SpecialGroup.ENTERPRISE: _l("Enterprise"),
    SpecialGroup.EVERYONE: _l("Resident"),
}
