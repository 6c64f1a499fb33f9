"""Statuses, lifecycle steps and call-back answers in words (never colour alone)."""
from flask_babel import lazy_gettext as _l

from ..bookings.dispatch import Action, Satisfaction
from ..bookings.labels import EVENT_LABELS, GROUP_LABELS, STATUS_LABELS  # noqa: F401  (shared)
from ..catalog.models import Channel

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
