"""Approvals follow ticket events: a ticket that leaves "Awaiting approval" by another way
(an agent cancels it, or moves it on) withdraws its pending approval."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from tuki.approvals import services
from tuki.tickets.signals import event_recorded


@receiver(event_recorded, dispatch_uid="approvals_status_left_waiting")
def on_event_recorded(sender: Any, event: Any, **kwargs: Any) -> None:
    if event.action != "status":
        return
    services.ticket_left_waiting(event.ticket)
