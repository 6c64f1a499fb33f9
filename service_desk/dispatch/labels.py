"""The staff pages' words for lifecycle steps (statuses and answers: requests/labels.py)."""
from flask_babel import lazy_gettext as _l

from ..requests.lifecycle import Action

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
