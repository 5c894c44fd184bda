"""Ticket events that change a ticket's searchable text enqueue its re-indexing.

The receiver only enqueues a task, so the request that changed the ticket pays one INSERT at
most: inside the change's transaction with the database queue, else after the commit (so
the task reads the stored ticket).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tuki.lib import taskqueue
from tuki.search import documents, engine, tasks
from tuki.tickets.models import CustomField, EventAction, Ticket, TicketEvent
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
    """Whether the event changes what the ticket's document holds (a custom field's value
    is an event "field" of field "custom.<key>")."""
    return event.action in TEXT_ACTIONS or (
        event.action == EventAction.FIELD
        and (event.field in TEXT_FIELDS or event.field.startswith("custom."))
    )


@receiver(event_recorded, sender=TicketEvent, dispatch_uid="search_index_ticket")
def on_event_recorded(sender: Any, event: TicketEvent, **kwargs: Any) -> None:
    if changes_text(event):
        taskqueue.enqueue_with_change(tasks.index_ticket, event.ticket_id)


@receiver(post_delete, sender=Ticket, dispatch_uid="search_remove_ticket")
def on_ticket_deleted(sender: Any, instance: Ticket, **kwargs: Any) -> None:
    engine.remove_document(documents.TICKET, instance.pk)


@receiver(post_save, sender=CustomField, dispatch_uid="search_index_field_tickets")
def on_custom_field_saved(sender: Any, instance: CustomField, created: bool, **kwargs: Any) -> None:
    """A changed definition (choice labels, shown to requesters or not, active or not)
    changes the documents of the tickets holding a value: one task re-indexes them all."""
    if not created:
        taskqueue.enqueue_with_change(tasks.index_field_tickets, instance.key)
