"""The notification outbox: reminders queued in the transaction, sent by `service-desk notify`."""
from flask import Blueprint

bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox", template_folder="templates")

from . import routes  # noqa: F401
