"""Ticket events → live messages: the ticket's page, every queue that may show it, and the
requester's page in the portal for what the portal shows (replies and status changes; an
internal note or a reassignment is not even announced there)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from tuki.live import bus
from tuki.tickets.models import EventAction, TicketEvent
from tuki.tickets.signals import event_recorded


def audience_of(ticket: Any) -> bus.Audience:
    groups = tuple(g for g in (ticket.owner_group_id, ticket.group_id) if g)
    users = tuple(u for u in (ticket.assignee_id, ticket.owner_id, ticket.requester_id) if u)
    return bus.Audience(groups, users, bool(ticket.restricted))


@receiver(event_recorded, sender=TicketEvent, dispatch_uid="tuki.live.ticket_changed")
def ticket_changed(sender: type, event: TicketEvent, **kwargs: Any) -> None:
    ticket = event.ticket
    data = {
        "id": ticket.pk,
        "number": ticket.number,
        "version": event.version or ticket.version,  # the version this change makes
        "actor": event.actor_id,
    }
    bus.publish(f"ticket.{ticket.pk}", "changed", data)
    bus.publish("tickets", "changed", data, audience=audience_of(ticket))
    if is_public(event):
        bus.publish(f"request.{ticket.pk}", "changed", {"id": ticket.pk})


PUBLIC = frozenset(
    {EventAction.REPLY, EventAction.STATUS, EventAction.RESOLUTION, EventAction.MERGED}
)


def is_public(event: TicketEvent) -> bool:
    """What the portal's conversation shows (portal/views.py `_conversation`)."""
    if event.action not in PUBLIC:
        return False
    return event.comment is None or not event.comment.is_internal
