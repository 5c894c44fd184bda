"""Placeholders in macro and rule texts: `{{ticket.number}}`, `{{requester.first_name}}`, ...

A whitelist and one regular expression, deliberately not Django's template engine: the text
is written by agents and administrators and must never reach attributes, tags or filters.
Substitution is one pass, so a value holding `{{...}}` (a ticket title typed by a requester)
stays as typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from tuki.accounts.models import User
    from tuki.tickets.models import Ticket

# Anything between double braces is a candidate, so unknown names can be reported.
PLACEHOLDER_RE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")

Getter = Callable[["Ticket", "User | None"], str]


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _name(user: User | None) -> str:
    return (user.full_name or user.email) if user is not None else ""


def _first_name(user: User | None) -> str:
    return user.get_short_name() if user is not None else ""


def _agent_name(ticket: Ticket, user: User | None) -> str:
    # A rule acts for the desk that owns the ticket: sign with its name, not a person's.
    return _name(user) if user is not None else ticket.owner_group.name


PLACEHOLDERS: dict[str, tuple[Promise, Getter]] = {
    "ticket.number": (_("ticket number, e.g. INC-1042"), lambda t, u: t.number),
    "ticket.title": (_("ticket title"), lambda t, u: t.title),
    "ticket.status": (_("status"), lambda t, u: t.status.label),
    "ticket.priority": (_("priority"), lambda t, u: str(t.get_priority_display())),
    "ticket.group": (_("assigned group"), lambda t, u: t.group.name),
    "ticket.assignee": (_("assignee"), lambda t, u: _name(t.assignee)),
    "ticket.url": (
        _("link to the ticket in the portal"),
        lambda t, u: _absolute(reverse("portal:detail", args=[t.number])),
    ),
    "requester.name": (_("requester's full name"), lambda t, u: _name(t.requester)),
    "requester.first_name": (_("requester's first name"), lambda t, u: _first_name(t.requester)),
    "requester.email": (_("requester's email"), lambda t, u: t.requester.email),
    "agent.name": (_("your name (a rule: the service desk's)"), _agent_name),
    "organisation.name": (
        _("requester's organisation"),
        lambda t, u: t.organisation.name if t.organisation else "",
    ),
}


# `{{ticket.custom.<key>}}`: a custom field's value as the ticket page shows it
# (tuki/tickets/fields.py); empty when the ticket has none.
CUSTOM_PREFIX = "ticket.custom."


def _is_custom(name: str) -> bool:
    from tuki.tickets.fields import field_by_key

    return name.startswith(CUSTOM_PREFIX) and field_by_key(name[len(CUSTOM_PREFIX) :]) is not None


def unknown_placeholders(text: str) -> list[str]:
    """Names between `{{ }}` that are not placeholders, in order of appearance."""
    found = (m.group(1) for m in PLACEHOLDER_RE.finditer(text or ""))
    return list(
        dict.fromkeys(name for name in found if name not in PLACEHOLDERS and not _is_custom(name))
    )


def substitute(text: str, ticket: Ticket, user: User | None) -> str:
    custom: dict[str, str] | None = None

    def value(match: re.Match[str]) -> str:
        nonlocal custom
        name = match.group(1)
        entry = PLACEHOLDERS.get(name)
        if entry is not None:
            return entry[1](ticket, user)
        if _is_custom(name):
            if custom is None:
                from tuki.tickets.fields import placeholder_values

                custom = placeholder_values(ticket)
            return custom.get(name[len(CUSTOM_PREFIX) :], "")
        return match.group(0)

    return PLACEHOLDER_RE.sub(value, text or "")
