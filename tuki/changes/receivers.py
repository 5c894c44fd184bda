"""Changes follow ticket events (tuki/tickets/signals.py), inside the service's transaction:

- a ticket that becomes a change (created as one, or switched to kind "change") gets its
  detail row, type normal, before the kind switch picks its status: the switch asks the
  workflow's guard (workflow.py), so an incident in progress becomes a change in
  "Assigned", never an unapproved change in progress (tickets/services/kinds.py);
- the affected items of a change changed: its risk is assessed again.
"""

from __future__ import annotations

from typing import Any

from tuki.changes import services
from tuki.tickets.models import EventAction, Kind, TicketEvent


def on_event(sender: Any, event: TicketEvent, **kwargs: Any) -> None:
    ticket = event.ticket
    if ticket.kind != Kind.CHANGE:
        return
    if event.action == EventAction.CREATED:
        services.ensure_change(ticket)
    elif event.action == EventAction.FIELD and event.field == "kind":
        services.ensure_change(ticket)
    elif event.action == EventAction.FIELD and event.field == "affected_items":
        change = services.ensure_change(ticket)
        change.ticket = ticket
        services.assess_risk(event.actor, change, record=True)
