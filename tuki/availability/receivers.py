"""Outages follow their incidents, and critical alerts open them.

- When an incident marked as an outage is resolved or closed (tuki/tickets/signals.py), its
  ongoing outages end at that moment, in the same transaction as the status change.
- When a critical alert opens an incident (tuki/monitoring/signals.py), the business
  services its item's failure reaches get an outage of that incident
  (services.outages_from_alert)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from tuki.availability.services import RESOLVED, outages_from_alert, ticket_resolved
from tuki.monitoring.signals import incident_opened
from tuki.tickets.models import EventAction
from tuki.tickets.signals import event_recorded


@receiver(event_recorded, dispatch_uid="availability_outage_ends_with_its_incident")
def on_event_recorded(sender: Any, event: Any, **kwargs: Any) -> None:
    if event.action != EventAction.STATUS:
        return
    ticket = event.ticket
    if ticket.status.category in RESOLVED:
        ticket_resolved(ticket, ticket.resolved_at or event.created_at)


@receiver(incident_opened, dispatch_uid="availability_outage_from_critical_alert")
def on_incident_opened(sender: Any, alert: Any, ticket: Any, now: Any, **kwargs: Any) -> None:
    outages_from_alert(alert, ticket, now)
