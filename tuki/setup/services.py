"""The first-run set-up: the first administrator, the service desk group, a business-hours
calendar with the country's public holidays, and optionally the desk's mailbox. One
transaction: a refused field leaves nothing behind."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tuki.accounts.models import SupportGroup, User
from tuki.calendars.models import Calendar
from tuki.calendars.services import CalendarInput, create_calendar
from tuki.lib.errors import ServiceError
from tuki.mail.models import ImapSecurity, Mailbox
from tuki.setup import state
from tuki.setup.signals import setup_completed

WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
CALENDAR = "Business hours"  # stored names are English, as the demo's


@dataclass
class SetupInput:
    desk_name: str
    time_zone: str
    holiday_country: str = ""
    opens: str = "08:00"
    closes: str = "16:00"
    desk_email: str = ""
    admin_email: str = ""
    admin_name: str = ""
    password: str = ""
    mailbox_address: str = ""
    imap_host: str = ""
    imap_user: str = ""
    imap_password: str = ""


def complete_setup(actor: User | None, data: SetupInput) -> User:
    """Create what is missing; returns the administrator. `actor` is a signed-in superuser,
    or None when the set-up token was given (the caller checks it)."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied
    with transaction.atomic():
        if state.is_set_up():
            raise ServiceError(_("Tuki is already set up."), code="done")
        admin = actor or _first_admin(data)
        desk = _service_desk(admin, data)
        if not Calendar.objects.filter(name=CALENDAR).exists():  # or one an admin made already
            _calendar(admin, data)
        if data.mailbox_address:
            _mailbox(desk, data)
        transaction.on_commit(state.forget_token)
        transaction.on_commit(lambda: setup_completed.send(sender=SupportGroup, group=desk))
    return admin


def _calendar(admin: User, data: SetupInput) -> Calendar:
    return create_calendar(
        admin,
        CalendarInput(
            name=CALENDAR,
            time_zone=data.time_zone,
            week={day: [[data.opens, data.closes]] for day in WORKDAYS},
            holiday_country=data.holiday_country,
            is_default=True,
        ),
    )


def _first_admin(data: SetupInput) -> User:
    if state.has_admin():
        raise PermissionDenied  # the administrator signs in and finishes the set-up
    email = data.admin_email.strip().lower()
    if not email:
        raise ServiceError(_("Give the administrator's email address."), field="admin_email")
    if not data.admin_name.strip():
        raise ServiceError(_("Give the administrator's name."), field="admin_name")
    candidate = User(email=email, full_name=data.admin_name.strip())
    try:
        validate_password(data.password, candidate)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="password1") from exc
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        raise ServiceError(_("Someone already has this address."), field="admin_email")
    return User.objects.create_superuser(email, data.password, full_name=data.admin_name.strip())


def _service_desk(admin: User, data: SetupInput) -> SupportGroup:
    found = SupportGroup.objects.filter(tier=SupportGroup.Tier.SERVICE_DESK).first()
    if found is None:
        name = data.desk_name.strip()
        if not name:
            raise ServiceError(_("Name the service desk group."), field="desk_name")
        found = SupportGroup.objects.create(
            name=name[:200],
            tier=SupportGroup.Tier.SERVICE_DESK,
            may_write_to_requesters=True,
            email=data.desk_email.strip(),
        )
    elif not found.is_active:
        found.is_active = True
        found.save(update_fields=["is_active"])
    found.members.add(admin)
    return found


def _mailbox(desk: SupportGroup, data: SetupInput) -> Mailbox:
    address = data.mailbox_address.strip().lower()
    if Mailbox.objects.filter(address__iexact=address).exists():
        raise ServiceError(
            _("A mailbox with this address exists already."), field="mailbox_address"
        )
    if not data.imap_host.strip():
        raise ServiceError(_("Give the IMAP server of the mailbox."), field="imap_host")
    slug = re.sub(r"[^a-z0-9-]+", "-", address.split("@")[0]).strip("-")[:40] or "desk"
    return Mailbox.objects.create(
        name=slug,
        address=address,
        imap_host=data.imap_host.strip(),
        imap_user=data.imap_user.strip() or address,
        imap_password=data.imap_password,
        imap_security=ImapSecurity.SSL,
        group=desk,
    )
