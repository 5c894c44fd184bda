"""One service applied to many tickets (the queue's bulk actions)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.lib.errors import ServiceError
from tuki.tickets.models import Ticket
from tuki.tickets.services.assignment import assign_ticket
from tuki.tickets.services.status import close_ticket


def bulk_apply(
    actor: User, tickets: Iterable[Ticket], action: str, **kwargs: Any
) -> tuple[int, list[tuple[Ticket, str]]]:
    """Apply one service to many tickets; each is its own transaction. Returns done, failures."""
    done, failed = 0, []
    for ticket in tickets:
        try:
            if action == "assign":
                assign_ticket(actor, ticket, **kwargs)
            elif action == "close":
                close_ticket(actor, ticket)
            else:
                raise ServiceError(_("Unknown action."), field="action", code="invalid")
            done += 1
        except (ServiceError, PermissionDenied) as exc:
            failed.append((ticket, getattr(exc, "message", str(exc))))
    return done, failed
