"""Routing and assignment follow ticket events (tuki/tickets/signals.py).

The task is enqueued where it costs least and is never lost: with the database queue, inside
the change's transaction (the row commits with the ticket, no commit of its own); with
another backend, after the commit (the task must find the change saved).
"""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from tuki.lib import taskqueue
from tuki.tickets.signals import event_committed, event_recorded

log = logging.getLogger(__name__)


def _enqueue(event: Any) -> None:
    from tuki.routing import tasks

    if event.action == "created":
        taskqueue.enqueue(tasks.route_ticket, event.ticket_id, event.depth)
    elif event.field == "group" and event.action in ("group", "escalated"):
        taskqueue.enqueue(tasks.assign_ticket, event.ticket_id, event.depth)


@receiver(event_recorded, dispatch_uid="routing-on-ticket-event-recorded")
def on_ticket_event_recorded(sender: object, event: Any, **kwargs: Any) -> None:
    if taskqueue.in_transaction():
        _enqueue(event)
        event._routing_queued = True


@receiver(event_committed, dispatch_uid="routing-on-ticket-event")
def on_ticket_event(sender: object, event: Any, **kwargs: Any) -> None:
    if getattr(event, "_routing_queued", False):
        return
    try:
        _enqueue(event)
    except Exception:
        # The ticket change committed already; a failed enqueue must not surface as its error.
        log.exception("Could not enqueue routing for ticket %s", event.ticket_id)
