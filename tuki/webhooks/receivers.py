"""Webhooks follow ticket events: subscribed endpoints get a delivery for each one."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from tuki.tickets.models import TicketEvent
from tuki.tickets.signals import event_recorded
from tuki.webhooks import services

logger = logging.getLogger(__name__)


@receiver(event_recorded, sender=TicketEvent, dispatch_uid="webhooks_queue_for_event")
def queue_for_event(sender: Any, event: TicketEvent, **kwargs: Any) -> None:
    """Write the deliveries in the ticket's own transaction (they commit with the change);
    the tasks that send them run after commit. A savepoint keeps any failure here out of
    the ticket's work."""
    try:
        hooks = services.subscribed(event)
        if hooks:
            with transaction.atomic():
                services.queue_for_event(event, hooks)
    except Exception:
        logger.exception("cannot queue webhooks for ticket event %s", event.pk)
