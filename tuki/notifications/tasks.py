"""Background work for notifications, run by the task worker (`tuki worker`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django_tasks import task

from tuki.lib import taskqueue
from tuki.notifications import rules, services
from tuki.tickets.models import Ticket, TicketEvent

logger = logging.getLogger(__name__)


def _process_together(calls: list[tuple[list[Any], dict[str, Any]]]) -> list[str]:
    """Many queued changes in one transaction (the worker's, with their marks), their events
    and tickets read in one query each; each change is still told on its own, once."""
    batches = [list(args[0] if args else kwargs["event_ids"]) for args, kwargs in calls]
    events = _events({pk for batch in batches for pk in batch})
    tickets = _tickets({event.ticket_id for event in events.values()})
    results = []
    for batch in batches:
        mine = sorted((events[pk] for pk in batch if pk in events), key=_order)
        results.append(tell(tickets.get(mine[0].ticket_id) if mine else None, mine))
    return results


@task()
@taskqueue.batched(_process_together, size=50)
@taskqueue.commits_with_result  # a second run would tell everybody twice
def notify_events(event_ids: list[int]) -> str:
    """Tell the right people about one change to a ticket (receivers.py explains batches)."""
    return process(event_ids)


def _order(event: TicketEvent) -> tuple[Any, int]:
    return (event.created_at, event.pk)


def _events(ids: Iterable[int]) -> dict[int, TicketEvent]:
    return {
        event.pk: event
        for event in TicketEvent.objects.filter(pk__in=list(ids)).select_related("actor", "comment")
    }


def _tickets(ids: Iterable[int]) -> dict[int, Ticket]:
    return {
        ticket.pk: ticket
        for ticket in Ticket.objects.with_related()
        .select_related("owner", "group__manager")
        .filter(pk__in=list(ids))
    }


def process(event_ids: list[int]) -> str:
    """Run the rules over one batch and notify; what was done, for the task's result."""
    events = sorted(_events(event_ids).values(), key=_order)
    if not events:
        return "no events"
    return tell(_tickets([events[0].ticket_id]).get(events[0].ticket_id), events)


def tell(ticket: Ticket | None, events: list[TicketEvent]) -> str:
    """Notify about one change (its events, in order) to `ticket`."""
    if not events:
        return "no events"
    if ticket is None:
        return "no ticket"
    told = 0
    for intent in rules.intents_for(ticket, events):
        try:
            made = services.notify(
                intent.users, ticket, intent.kind, intent.text, actor=intent.actor, url=intent.url
            )
        except Exception:  # one failing rule must not keep the others' people uninformed
            logger.exception("Notifying %s on ticket %s failed", intent.kind, ticket.pk)
            continue
        told += len(made)
    return f"{told} notifications"
