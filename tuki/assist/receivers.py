"""A ticket created, or its title or description changed, queues the computing of its
semantic vector (connected in apps.py). The receiver only enqueues: the model runs in the
worker, never in the request."""

from __future__ import annotations

from typing import Any

from tuki.assist import embeddings, tasks
from tuki.lib import taskqueue
from tuki.tickets.models import EventAction, TicketEvent

TEXT_FIELDS = frozenset({"title", "description"})


def changes_text(event: TicketEvent) -> bool:
    return event.action == EventAction.CREATED or (
        event.action == EventAction.FIELD and event.field in TEXT_FIELDS
    )


def on_event_recorded(sender: Any, event: TicketEvent, **kwargs: Any) -> None:
    if changes_text(event) and embeddings.available():
        taskqueue.enqueue_with_change(tasks.embed_ticket, event.ticket_id)
