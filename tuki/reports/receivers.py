"""Ticket events, SLA breaches (recorded as ticket events) and survey answers mark a
ticket's figures stale: one `refresh_facts` task per ticket per change, written with the
change (tuki/lib/taskqueue.py), run after it commits. A deleted fact marks its months for
the rollups (rollups.py)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from tuki.lib import taskqueue
from tuki.reports import rollups, tasks
from tuki.reports.models import TicketFact
from tuki.surveys.signals import answered
from tuki.tickets.models import TicketEvent
from tuki.tickets.signals import event_recorded


class _Seen:
    """Which tickets this transaction has queued a refresh for (lives on the connection's
    on-commit list, so it ends with the transaction, committed or rolled back)."""

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.done = False

    def __call__(self) -> None:
        self.done = True


def _seen() -> _Seen:
    connection = transaction.get_connection()
    for _sids, func, _robust in connection.run_on_commit:
        if isinstance(func, _Seen) and not func.done:
            return func
    seen = _Seen()
    transaction.on_commit(seen)
    return seen


def mark_stale(ticket_id: int) -> None:
    """Queue the refresh of this ticket's facts with the current change (once per change)."""
    if transaction.get_connection().in_atomic_block:
        seen = _seen()
        if ticket_id in seen.ids:
            return
        seen.ids.add(ticket_id)
    taskqueue.enqueue_with_change(tasks.refresh_facts, [ticket_id])


@receiver(event_recorded, sender=TicketEvent, dispatch_uid="reports_mark_stale")
def on_event_recorded(sender: Any, event: TicketEvent, **kwargs: Any) -> None:
    mark_stale(event.ticket_id)


@receiver(answered, dispatch_uid="reports_survey_answered")
def on_survey_answered(sender: Any, response: Any, **kwargs: Any) -> None:
    mark_stale(response.ticket_id)


@receiver(post_delete, sender=TicketFact, dispatch_uid="reports_fact_deleted")
def on_fact_deleted(sender: Any, instance: TicketFact, **kwargs: Any) -> None:
    """A ticket deleted (its fact goes with it) leaves its months to be rolled again."""
    rollups.mark([instance.created_day, instance.resolved_day])
