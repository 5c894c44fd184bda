"""Changes follow ticket events (tuki/tickets/signals.py), inside the service's transaction:

- a ticket that becomes a change (created as one, or switched to kind "change") gets its
  detail row, type normal; a switch into a status a change reaches only with approval is
  refused (the guard's rule, workflow.py);
- the affected items of a change changed: its risk is assessed again.
"""

from __future__ import annotations

from typing import Any

from tuki.changes import services, workflow
from tuki.tickets.models import EventAction, Kind, TicketEvent


def on_event(sender: Any, event: TicketEvent, **kwargs: Any) -> None:
    ticket = event.ticket
    if ticket.kind != Kind.CHANGE:
        return
    if event.action == EventAction.CREATED:
        services.ensure_change(ticket)
    elif event.action == EventAction.FIELD and event.field == "kind":
        services.ensure_change(ticket)
        status = ticket.status
        if status.key == workflow.AWAITING:
            workflow.check(ticket, status, status, event.actor)
        elif workflow.needs_approval(status):
            workflow.check_state(ticket, status)
    elif event.action == EventAction.FIELD and event.field == "affected_items":
        change = services.ensure_change(ticket)
        change.ticket = ticket
        services.assess_risk(event.actor, change, record=True)
