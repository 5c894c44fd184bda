"""Following ticket events: a major incident's parent resolved resolves its children."""

from __future__ import annotations

from typing import Any

from tuki.majors import services
from tuki.tickets.models import EventAction, Kind, TicketEvent


def on_event(sender: Any, event: TicketEvent, **kwargs: Any) -> None:
    """Inside the parent's transaction: the children resolve with it, or nothing does."""
    if event.action != EventAction.RESOLUTION:
        return
    ticket = event.ticket
    if ticket.kind != Kind.INCIDENT:
        return
    services.resolve_children(ticket, event.new_value, event.reason)
