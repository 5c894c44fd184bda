"""Routing and assignment follow ticket events (tuki/tickets/signals.py) after commit."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from tuki.tickets.signals import event_committed

log = logging.getLogger(__name__)


@receiver(event_committed, dispatch_uid="routing-on-ticket-event")
def on_ticket_event(sender: object, event: Any, **kwargs: Any) -> None:
    from tuki.routing import tasks

    try:
        if event.action == "created":
            tasks.route_ticket.enqueue(event.ticket_id, event.depth)
        elif event.field == "group" and event.action in ("group", "escalated"):
            tasks.assign_ticket.enqueue(event.ticket_id, event.depth)
    except Exception:
        # The ticket change committed already; a failed enqueue must not surface as its error.
        log.exception("Could not enqueue routing for ticket %s", event.ticket_id)
