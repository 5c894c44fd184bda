"""Every problem ticket has its detail row: made when a ticket is registered as a problem
or becomes one (a kind change), inside the ticket service's transaction."""

from __future__ import annotations

from typing import Any

from tuki.problems.models import Problem
from tuki.tickets.models import EventAction, Kind, TicketEvent


def on_event(sender: Any, *, event: TicketEvent, **kwargs: Any) -> None:
    became = event.action == EventAction.CREATED or (
        event.action == EventAction.FIELD and event.field == "kind"
    )
    if became and event.ticket.kind == Kind.PROBLEM:
        Problem.objects.get_or_create(ticket=event.ticket)
