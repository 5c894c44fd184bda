"""Ticket events that change a ticket's searchable text enqueue its re-indexing.

The receiver only enqueues a task, so the request that changed the ticket pays one INSERT at
most: inside the change's transaction with the database queue, else after the commit (so
the task reads the stored ticket).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from tuki.lib import taskqueue
from tuki.search import documents, engine, tasks
from tuki.tickets.models import EventAction, Ticket, TicketEvent
from tuki.tickets.signals import event_recorded

TEXT_ACTIONS = frozenset(
    {
        EventAction.CREATED,
        EventAction.REPLY,
        EventAction.NOTE,
        EventAction.MERGED_FROM,
        EventAction.RESOLUTION,
    }
)
TEXT_FIELDS = frozenset({"title", "description"})


def changes_text(event: TicketEvent) -> bool:
    return event.action in TEXT_ACTIONS or (
        event.action == EventAction.FIELD and event.field in TEXT_FIELDS
    )


@receiver(event_recorded, sender=TicketEvent, dispatch_uid="search_index_ticket")
def on_event_recorded(sender: Any, event: TicketEvent, **kwargs: Any) -> None:
    if changes_text(event):
        taskqueue.enqueue_with_change(tasks.index_ticket, event.ticket_id)


@receiver(post_delete, sender=Ticket, dispatch_uid="search_remove_ticket")
def on_ticket_deleted(sender: Any, instance: Ticket, **kwargs: Any) -> None:
    engine.remove_document(documents.TICKET, instance.pk)
