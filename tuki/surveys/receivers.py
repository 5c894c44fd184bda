"""Connects surveys to ticket events (tuki/tickets/signals.py): a resolution asks."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from tuki.surveys import services
from tuki.tickets.models import EventAction, TicketEvent
from tuki.tickets.signals import event_recorded


@receiver(event_recorded, sender=TicketEvent, dispatch_uid="tuki.surveys.ask_on_resolve")
def ask_on_resolve(sender: type, event: TicketEvent, **kwargs: Any) -> None:
    """Inside the service's transaction: the survey and its mail commit with the resolution."""
    if event.action == EventAction.RESOLUTION:
        services.ask(event)
