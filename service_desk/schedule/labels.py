"""Words for the schedule: appointment steps, buttons and channels (never colour alone)."""
from flask_babel import lazy_gettext as _l

from ..catalog.models import Channel
from ..requests.labels import EVENT_LABELS, GROUP_LABELS, STATUS_LABELS  # noqa: F401  (shared)
from ..requests.models import RequestStatus

# the statuses an appointment goes through, in the order the week table shows them
APPOINTMENT_STATUSES = (RequestStatus.BOOKED, RequestStatus.ARRIVED, RequestStatus.COMPLETED,
                        RequestStatus.NO_SHOW, RequestStatus.CANCELLED)


# what the staff member's button says for each change
ACTION_LABELS = {
    RequestStatus.ARRIVED: _l("Mark arrived"),
    RequestStatus.COMPLETED: _l("Mark completed"),
    RequestStatus.NO_SHOW: _l("Mark no-show"),
    RequestStatus.CANCELLED: _l("Cancel the booking"),
}


CHANNEL_LABELS = {
    Channel.PHONE: _l("by phone"),
    Channel.WECHAT: _l("on WeChat"),
    Channel.WEB: _l("on the web"),
    Channel.WALK_IN: _l("at the counter"),
    Channel.OPEN311: _l("through Open311"),
}
