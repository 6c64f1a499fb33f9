"""The `service-desk` command: a Flask CLI group bound to the app (db, seed, users, tokens)."""
from __future__ import annotations

import sys
from datetime import time as dt_time

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from .extensions import db


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _read_password(confirm: bool = True) -> str:
    """From standard input when it is not a terminal, else prompted."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=confirm)


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Load seeds/ (the article's units, matters, projects, services, figures)."""
    from .seeding import SeedError, seed_load

    try:
        stats = seed_load()
        db.session.commit()
    except SeedError as exc:
        db.session.rollback()
        _fail(str(exc))
    if not stats.changed:
        click.echo("Seed data already loaded; nothing changed.")
        return
    for kind, n in sorted(stats.created.items()):
        click.echo(f"created {n} {kind}")
    for kind, n in sorted(stats.updated.items()):
        click.echo(f"updated {n} {kind}")


users = click.Group("users", help="Staff accounts.")


def _account_fail(exc: Exception) -> None:
    """The rule's messages, in English like the rest of the command line."""
    from flask_babel import force_locale

    db.session.rollback()
    with force_locale("en"):
        message = str(exc)
    _fail(message)


@users.command("create")
@click.argument("username")
@click.option("--role", required=True, help="operator, staff, supervisor, leader or admin")
@click.option("--unit", "unit_code", default=None, help="unit code (required for staff)")
@click.option("--name", "display_name", default=None, help="display name")
@click.option("--email", default=None, help="mail address for reminders")
@click.option("--mobile", default=None, help="mainland mobile for reminders by text")
@with_appcontext
def users_create(username: str, role: str, unit_code: str | None, display_name: str | None,
                 email: str | None, mobile: str | None) -> None:
    """Create USERNAME; the password comes from standard input or a prompt and must pass the
    password rule (10 characters or more, not a common password, not the username)."""
    from .accounts.services import AccountError, parse_role, user_create

    try:
        parsed = parse_role(role)
        password = _read_password()
        user_create(username=username, password=password, role=parsed, unit_code=unit_code,
                    display_name=display_name, email=email, mobile=mobile)
        db.session.commit()
    except AccountError as exc:
        _account_fail(exc)
    click.echo(f"created {role} {username}")


@users.command("reset-password")
@click.argument("username")
@click.option("--generate", is_flag=True, help="make up a password and print it once")
@with_appcontext
def users_reset_password(username: str, generate: bool) -> None:
    """Set a new password for USERNAME (from standard input, a prompt, or --generate); the
    account's sessions end and a lock after failed sign-ins is lifted."""
    from .accounts.models import User
    from .accounts.passwords import generate_password
    from .accounts.services import AccountError, password_reset

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        _fail(f"unknown user {username!r}")
    password = generate_password(username=username) if generate else _read_password()
    try:
        password_reset(user=user, password=password, actor="cli")
        db.session.commit()
    except AccountError as exc:
        _account_fail(exc)
    if generate:
        click.echo(f"New password for {username} (shown this once; stored hashed): {password}")
    else:
        click.echo(f"password of {username} changed; its sessions ended")


tokens = click.Group("tokens", help="API bearer tokens.")


@tokens.command("create")
@click.argument("username")
@click.option("--label", default=None, help="What the token is for (shown when listing).")
@with_appcontext
def tokens_create(username: str, label: str | None) -> None:
    """Print a new bearer token for USERNAME (stored hashed: shown only now)."""
    from .accounts.models import User
    from .accounts.services import AccountError, token_create

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        _fail(f"unknown user {username!r}")
    try:
        raw = token_create(user=user, label=label)
    except AccountError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(raw)


DEMO_ACCOUNTS = (
    ("demo-operator", "operator", None, "热线话务员（演示）"),
    ("demo-staff", "staff", "gov-service-centre", "政务服务中心工作人员（演示）"),
    ("demo-supervisor", "supervisor", None, "督查人员（演示）"),
    ("demo-admin", "admin", None, "系统管理员（演示）"),
    ("demo-leader", "leader", None, "区领导（演示）"),
)


@click.command("demo-accounts")
@with_appcontext
def demo_accounts() -> None:
    """Ensure one demo account per role; print a new account's password once."""
    from .accounts.models import User
    from .accounts.passwords import generate_password
    from .accounts.services import parse_role, user_create

    created = []
    for username, role, unit, name in DEMO_ACCOUNTS:
        if db.session.scalar(select(User.id).where(User.username == username)) is not None:
            continue
        password = generate_password(username=username)
        user_create(username=username, password=password, role=parse_role(role),
                    unit_code=unit, display_name=name, actor="demo-accounts")
        created.append((username, role, password))
    db.session.commit()
    if created:
        click.echo("Demo accounts (passwords are shown this once; they are stored hashed):")
        for username, role, password in created:
            click.echo(f"  {role:<11} {username:<16} {password}")
    else:
        click.echo("Demo accounts exist already (their passwords were shown when created).")


@click.command("demo-bookings")
@with_appcontext
def demo_bookings() -> None:
    """Demo only: a completed appointment (DEMO0001) whose rating link waits in the outbox."""
    from .audit.services import audit_record
    from .db import utcnow
    from .demo_bookings import DEMO_PHONE, DemoBookingError, demo_completed_appointment

    try:
        item, link, made = demo_completed_appointment(now=utcnow())
    except DemoBookingError as exc:
        db.session.rollback()
        _fail(str(exc))
    if made:
        audit_record(actor="demo-bookings", action="appointment.demo", obj_type="request",
                     obj_id=item.reference, after={"demo": True})
    db.session.commit()
    click.echo(f"Demo appointment {item.reference} (phone {DEMO_PHONE}) is completed; "
               f"rate it at {link}")


def _queue_reminders() -> int:
    """What `notify` queues: the ledger's deadline and supervision-notice reminders, and the
    residents' reminders before their appointments (SERVICE_DESK_REMINDER_HOURS, default 24)."""
    from .base.calendar import today
    from .db import utcnow
    from .matters.reminders import queue_reminders
    from .projects.fieldwork_reminders import queue_fieldwork_reminders
    from .requests.reminders import appointment_reminders_queue

    ledger = queue_reminders(today=today(), due_soon_days=int(current_app.config["DUE_SOON_DAYS"]))
    fieldwork = queue_fieldwork_reminders(today=today(),
                                          due_soon_days=int(current_app.config["DUE_SOON_DAYS"]))
    hours = int(current_app.config["REMINDER_HOURS"])
    return ledger + fieldwork + appointment_reminders_queue(now=utcnow(), hours=hours)


def _units_without_contacts() -> list[str]:
    """For `notify --dry-run`: the units with due or overdue items but no staff account with
    a mail address or mobile, so the operator sees why nothing would be queued for them."""
    from .base.calendar import today
    from .matters.reminders import units_without_contacts

    units = units_without_contacts(today=today(),
                                   due_soon_days=int(current_app.config["DUE_SOON_DAYS"]))
    if not units:
        return []
    head = (f"{len(units)} responsible units have due or overdue items but no active staff "
            "account with a mail address or mobile, so nobody there would be reminded "
            "(add contact details at /admin/users):")
    return [head, *(f"  {code} {name}: {n} due or overdue" for code, name, n in units)]


def register(app: Flask) -> None:
    from .ledger.cli import import_matters
    from .ledger.projects_cli import import_projects
    from .notifications.cli import notify_command
    from .open311.cli import api_keys

    notify = notify_command(queue_due=_queue_reminders, unreached=_units_without_contacts)

    for command in (seed_command, users, tokens, demo_accounts, import_matters, import_projects,
                    notify,
                    demo_data_command, demo_hours, demo_bookings, api_keys, backup_command,
                    restore_command):
        app.cli.add_command(command)


def main() -> None:
    from . import create_app

    cli = FlaskGroup(create_app=lambda: create_app(), help="Service Desk administration.")
    cli.main(prog_name="service-desk")


@click.command("demo-data")
@click.option("--matters", default=0, type=click.IntRange(0, 1_000_000), help="synthetic items")
@click.option("--updates-per-matter", default=10, type=click.IntRange(0, 100))
@click.option("--appointments", default=0, type=click.IntRange(0, 1_000_000))
@with_appcontext
def demo_data_command(matters: int, updates_per_matter: int, appointments: int) -> None:
    """Fill the database with synthetic, clearly flagged data (numbers SYN-…) for load work."""
    from .base.calendar import today
    from .base.progress import progress
    from .demo_data import DemoDataError, demo_data

    rows = matters * (1 + updates_per_matter) + appointments
    try:
        with progress(length=max(rows, 1), label="Adding synthetic rows") as bar:
            made = demo_data(matters=matters, updates_per_matter=updates_per_matter,
                             appointments=appointments, today=today(), advance=bar.update)
        db.session.commit()
    except DemoDataError as exc:
        db.session.rollback()
        _fail(str(exc))
    click.echo(f"added synthetic data: {made['matters']} items, {made['updates']} updates, "
               f"{made['appointments']} appointments")


DEMO_HOURS = ((dt_time(9), dt_time(12)), (dt_time(13, 30), dt_time(17)))


@click.command("demo-hours")
@with_appcontext
def demo_hours() -> None:
    """Demo only: give bookable services that have no hours Mon–Fri 09:00–12:00 and
    13:30–17:00, 30-minute slots, 2 places. The article gives no hours; admins set the
    real ones at /admin/services. Services that have hours are left alone."""
    from .audit.services import audit_record
    from .catalog.models import OpeningHours, Service, ServiceKind
    from .catalog.slot_versions import slots_changed

    has_hours = select(OpeningHours.service_id).distinct()
    services = db.session.scalars(select(Service).where(
        Service.kind == ServiceKind.APPOINTMENT, Service.id.not_in(has_hours))).all()
    for service in services:
        service.duration_minutes = service.duration_minutes or 30
        service.capacity = service.capacity or 2
        for weekday in range(5):
            for opens, closes in DEMO_HOURS:
                db.session.add(OpeningHours(service_id=service.id, weekday=weekday, opens=opens,
                                            closes=closes))
        audit_record(actor="demo-hours", action="service.demo_hours", obj_type="service",
                     obj_id=service.code, after={"demo": True})
        slots_changed(service.id)  # running servers' cached slots answers are out of date
    db.session.commit()
    if services:
        click.echo("Demo opening hours (not from the article; set real ones at /admin/services) "
                   "for: " + ", ".join(s.code for s in services))
    else:
        click.echo("Every bookable service has opening hours already.")


@click.command("backup")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=True))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@with_appcontext
def backup_command(path: str, force: bool) -> None:
    """Write the whole database to FILE while the app keeps running: pg_dump's custom format
    for PostgreSQL, SQLite's online backup for SQLite. FILE holds personal data (mode 0600)."""
    from sqlalchemy.exc import SQLAlchemyError

    from .audit.services import audit_record
    from .backup import BackupError, backup_write

    try:
        done = backup_write(path, force=force)
    except BackupError as exc:
        db.session.rollback()
        _fail(str(exc))
    click.echo(f"backed up the {done.backend} database to {done.path} ({done.size:,} bytes)")
    try:
        audit_record(actor="cli", action="database.backup", obj_type="database",
                     after={"file": done.path, "bytes": done.size, "backend": done.backend})
        db.session.commit()
    except SQLAlchemyError as exc:  # a read-only standby can be backed up, not written to
        db.session.rollback()
        click.echo(f"Warning: the backup is written, but it could not be recorded in the audit "
                   f"log: {exc.__class__.__name__}: {getattr(exc, 'orig', exc)}", err=True)


@click.command("restore")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=True))
@click.option("--replace", is_flag=True,
              help="Replace a database that holds data (without it, only an empty one).")
@with_appcontext
def restore_command(path: str, replace: bool) -> None:
    """Restore FILE (made by `service-desk backup`) into the database, all or nothing. Stop
    the app first; without --replace the database must hold no rows."""
    from .audit.services import audit_record
    from .backup import BackupError, backup_restore

    try:
        done = backup_restore(path, replace=replace)
    except BackupError as exc:
        db.session.rollback()
        _fail(str(exc))
    click.echo(f"restored {done.path} into the {done.backend} database "
               f"(schema revision {done.revision})")
    if not done.head:
        # the audit table may differ from this code's: record once the schema is upgraded
        click.echo("The backup is from another version of the code: run `service-desk db "
                   "upgrade` now. This restore is not in the audit log.")
        return
    audit_record(actor="cli", action="database.restore", obj_type="database",
                 after={"file": done.path, "bytes": done.size, "backend": done.backend,
                        "replace": replace})
    db.session.commit()
