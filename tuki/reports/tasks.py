"""Background work for reports: recomputing tickets' figures after their changes commit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_tasks import task

from tuki.lib import taskqueue
from tuki.reports import facts, rollups
from tuki.reports.models import TicketFact
from tuki.sla.models import SlaClock


def _refresh_together(calls: list[tuple[list[Any], dict[str, Any]]]) -> list[None]:
    """Many queued refreshes as one: the union of their tickets, in batches of facts.BATCH."""
    facts.refresh(sorted({pk for args, kwargs in calls for pk in _ids(args, kwargs)}))
    return [None] * len(calls)


def _ids(args: list[Any], kwargs: dict[str, Any]) -> list[int]:
    return list(args[0] if args else kwargs["ticket_ids"])


@task()
@taskqueue.batched(_refresh_together, size=200)
def refresh_facts(ticket_ids: list[int]) -> None:
    """Recompute these tickets' facts from their stored history (an upsert computed from
    the history alone: a second run writes the same rows)."""
    facts.refresh(ticket_ids)


@task()
def roll_months(months: list[str]) -> None:
    """Roll up these months (ISO dates of their first days) from their facts; a month that
    changed meanwhile stays to be rolled by the next periodic run (rollups.roll)."""
    for month in months:
        rollups.roll(date.fromisoformat(month))


# How far back the periodic job looks for clocks changed without a ticket event.
LOOK_BACK = timedelta(minutes=15)


def refresh_recomputed_clocks() -> int:
    """Periodic job: SLA clocks recomputed without a ticket event (a policy, agreement or
    calendar changed: sla.tasks.recompute_sla) leave their tickets' facts stale; queue the
    refresh of those whose fact is older than the clock. Quick (only enqueues) and safe to
    run twice (a second run finds the facts refreshed, or queues the same idempotent work)."""
    newer = TicketFact.objects.filter(
        pk=OuterRef("ticket_id"), refreshed_at__lt=OuterRef("updated_at")
    )
    ids = sorted(
        set(
            SlaClock.objects.filter(updated_at__gte=timezone.now() - LOOK_BACK)
            .filter(Exists(newer))
            .values_list("ticket_id", flat=True)
        )
    )
    for start in range(0, len(ids), facts.BATCH):
        refresh_facts.enqueue(ids[start : start + facts.BATCH])
    return len(ids)
