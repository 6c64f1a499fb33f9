"""Words for request statuses, residents' groups and history entries, shared by every page
that shows a request (never colour alone)."""
from flask_babel import lazy_gettext as _l

from ..catalog.models import Channel, SpecialGroup
from .models import RequestStatus, RequestType, Satisfaction

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

# the 12345 hotline's types of a reported request, in its order
REQUEST_TYPE_LABELS = {
    RequestType.COMPLAINT: _l("Complaint"),
    RequestType.ENQUIRY: _l("Enquiry"),
    RequestType.SUGGESTION: _l("Suggestion"),
    RequestType.HELP: _l("Request for help"),
    RequestType.PRAISE: _l("Praise"),
}

GROUP_LABELS = {
    SpecialGroup.ELDERLY: _l("Elderly resident"),
    SpecialGroup.DISABLED: _l("Person with a disability"),
    SpecialGroup.PREGNANT: _l("Pregnant woman"),
    SpecialGroup.ENTERPRISE: _l("Enterprise"),
    SpecialGroup.EVERYONE: _l("Resident"),
}

# RequestEvent.action -> words for a request's history
EVENT_LABELS = {
    "booked": _l("Booked"),
    "rescheduled": _l("Moved to another time"),
    "cancelled": _l("Cancelled"),
    "assigned": _l("Assigned"),
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
    # ratings (好差评) and the rectification of a bad one
    "rated": _l("Rated by the resident"),
    "rectification_opened": _l("Rectification opened"),
    "rectification_called_back": _l("Resident called back about the rating"),
    "rectification_fixed": _l("Rectification closed: fixed"),
    "rectification_explained": _l("Rectification closed: cannot be fixed, explained"),
    "rectification_appealed": _l("Rating appealed to a supervisor"),
    "rectification_appeal_upheld": _l("Appeal upheld: rating left out of the figures"),
    "rectification_appeal_rejected": _l("Appeal rejected: the unit rectifies as before"),
    "rectification_rated": _l("Resident rated the rectification"),
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
