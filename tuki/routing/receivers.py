"""Routing and assignment follow ticket events (tuki/tickets/signals.py).

The task is enqueued where it costs least and is never lost: with the database queue, inside
the change's transaction (the row commits with the ticket, no commit of its own); with
another backend, after the commit (the task must find the change saved).
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from tuki.lib import taskqueue
from tuki.routing import tasks
from tuki.tickets.models import EventAction
from tuki.tickets.signals import event_recorded


@receiver(event_recorded, dispatch_uid="routing-on-ticket-event")
def on_ticket_event(sender: object, event: Any, **kwargs: Any) -> None:
    if event.action == EventAction.CREATED:
        taskqueue.enqueue_with_change(tasks.route_ticket, event.ticket_id, event.depth)
    elif event.field == "group" and event.action in (EventAction.GROUP, EventAction.ESCALATED):
        taskqueue.enqueue_with_change(tasks.assign_ticket, event.ticket_id, event.depth)
