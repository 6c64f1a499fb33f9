"""Translated names of history entry kinds."""
from flask_babel import lazy_gettext as _l

from .models import UpdateKind

KIND_LABELS = {
    UpdateKind.PROGRESS: _l("Progress update"),
    UpdateKind.NOTE: _l("Note"),
    UpdateKind.IMPORT: _l("Imported from the ledger"),
    UpdateKind.EXTENSION_REQUEST: _l("Extension requested"),
    UpdateKind.EXTENSION_DECISION: _l("Extension decision"),
    UpdateKind.NOTICE: _l("Supervision notice"),
    UpdateKind.NOTICE_REPLY: _l("Reply to a supervision notice"),
    UpdateKind.ATTACHMENT: _l("Evidence attached"),
}
