"""Connects the rules engine to ticket events (tuki/tickets/signals.py).

Events are collected inside the service's transaction (quick, no I/O) and processed together
once it commits: one pass of the rules per service call (engine.py explains).
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from tuki.automation.engine import collect
from tuki.tickets.signals import event_recorded


@receiver(event_recorded)
def on_ticket_event(sender: object, event: Any, **kwargs: Any) -> None:
    collect(event)
