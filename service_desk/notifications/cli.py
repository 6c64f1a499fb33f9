"""`service-desk notify`: queue today's reminders, then send what waits in the outbox, once.

The outbox drafts no reminder itself: the command is built with ``queue_due``, the feature's
function that queues what is due and returns how many rows it queued (wired in cli.py).
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial

import click
from flask import current_app
from flask.cli import with_appcontext

from ..audit.services import audit_record
from ..base.progress import progress
from ..extensions import db
from .sender import SmtpUrlError, pending_count, send_pending
from .sms_backends import SmsConfigError, sms_backend
from .sms_rules import QuietHoursError
from .sms_sender import TextResult, pending_texts, send_texts


def notify_command(queue_due: Callable[[], int],
                   unreached: Callable[[], list[str]] | None = None) -> click.Command:
    """The `notify` command, queueing with ``queue_due`` (flushes, never commits). A dry run
    also prints ``unreached()``: lines naming who has something due but nobody to tell."""

    @click.command("notify")
    @click.option("--dry-run", is_flag=True,
                  help="Count what would be queued; queue and send nothing.")
    @with_appcontext
    def notify(dry_run: bool) -> None:
        """Send what is due in the notification outbox, once.

        Queues due-soon and overdue reminders and supervision-notice reply reminders (each once),
        then sends pending messages over SMTP when SERVICE_DESK_SMTP_URL is set, and due texts
        through the SMS gateway (SERVICE_DESK_SMS_URL) or Alibaba Cloud when configured;
        otherwise they wait in the outbox (/admin/outbox). Running it twice sends nothing twice.
        """
        config = current_app.config
        queued = queue_due()
        if dry_run:
            db.session.flush()
            waiting = pending_count()
            db.session.rollback()
            click.echo(f"dry run: would queue {queued}; {waiting - queued} already waiting in the "
                       "outbox; nothing changed")
            for line in unreached() if unreached else []:
                click.echo(line)
            return
        db.session.commit()

        smtp_url = config.get("SMTP_URL")
        try:
            result = send_pending(smtp_url=smtp_url,
                                  track=partial(progress, label="Sending the outbox"))
        except SmtpUrlError as exc:
            db.session.rollback()
            click.echo(f"queued {queued}, sent 0")
            click.echo(f"Error: SERVICE_DESK_SMTP_URL: {exc}", err=True)
            sys.exit(1)

        texts, texts_error = _send_texts(config)
        if queued or result.sent or result.failed or texts.sent or texts.failed or texts.gave_up:
            audit_record(actor="cli", action="outbox.notify", obj_type="outbox",
                         after={"queued": queued, "sent": result.sent, "failed": result.failed,
                                "gave_up": result.gave_up, "waiting": result.waiting,
                                "texts_sent": texts.sent, "texts_failed": texts.failed,
                                "texts_gave_up": texts.gave_up, "texts_held": texts.held})
            db.session.commit()

        click.echo(f"queued {queued}, sent {result.sent}, failed {result.failed}, "
                   f"waiting {result.waiting}")
        if result.gave_up:
            click.echo(f"{result.gave_up} messages failed too often and were given up "
                       "(see /admin/outbox)")
        if texts_error:
            click.echo(f"Error: texts: {texts_error}", err=True)
        else:
            click.echo(f"texts: sent {texts.sent}, failed {texts.failed} "
                       f"({texts.gave_up} given up, {texts.capped} over the daily limit), "
                       f"held for quiet hours {texts.held}, waiting {texts.waiting}")
        if not smtp_url:
            click.echo("SERVICE_DESK_SMTP_URL is not set: messages wait in the outbox "
                       "(/admin/outbox).")
        elif result.error:
            click.echo(f"Error: could not reach the SMTP server: {result.error}", err=True)
            sys.exit(1)
        if texts_error:
            sys.exit(1)

    return notify


def _send_texts(config) -> tuple[TextResult, str | None]:
    """Send the due texts with the configured backend; none configured: they wait."""
    try:
        backend = sms_backend(config)
        if backend is None:
            return TextResult(waiting=pending_texts()), None
        return send_texts(backend=backend, config=config), None
    except (SmsConfigError, QuietHoursError) as exc:
        db.session.rollback()
        return TextResult(waiting=pending_texts()), str(exc)
