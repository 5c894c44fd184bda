"""Background work for notifications, run by the task worker (`tuki worker`)."""

from __future__ import annotations

import logging
from typing import Any

from django_tasks import task

from tuki.lib import taskqueue
from tuki.notifications import rules, services
from tuki.tickets.models import Ticket, TicketEvent

logger = logging.getLogger(__name__)


def _process_together(calls: list[tuple[list[Any], dict[str, Any]]]) -> list[str]:
    """Many queued changes in one transaction (the worker's, with their marks): each change
    is still told on its own, once."""
    return [process(args[0] if args else kwargs["event_ids"]) for args, kwargs in calls]


@task()
@taskqueue.batched(_process_together, size=50)
@taskqueue.commits_with_result  # a second run would tell everybody twice
def notify_events(event_ids: list[int]) -> str:
    """Tell the right people about one change to a ticket (receivers.py explains batches)."""
    return process(event_ids)


def process(event_ids: list[int]) -> str:
    """Run the rules over one batch and notify; what was done, for the task's result."""
    events = list(
        TicketEvent.objects.filter(pk__in=event_ids)
        .select_related("actor", "comment")
        .order_by("created_at", "id")
    )
    if not events:
        return "no events"
    ticket = (
        Ticket.objects.with_related()
        .select_related("owner", "group__manager")
        .filter(pk=events[0].ticket_id)
        .first()
    )
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
