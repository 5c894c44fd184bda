"""Outages follow their incidents (tuki/tickets/signals.py): when an incident marked as an
outage is resolved or closed, its ongoing outages end at that moment, in the same
transaction as the status change."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from tuki.availability.services import RESOLVED, ticket_resolved
from tuki.tickets.models import EventAction
from tuki.tickets.signals import event_recorded


@receiver(event_recorded, dispatch_uid="availability_outage_ends_with_its_incident")
def on_event_recorded(sender: Any, event: Any, **kwargs: Any) -> None:
    if event.action != EventAction.STATUS:
        return
    ticket = event.ticket
    if ticket.status.category in RESOLVED:
        ticket_resolved(ticket, ticket.resolved_at or event.created_at)
