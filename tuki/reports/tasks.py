"""Background work for reports: recomputing tickets' figures after their changes commit."""

from __future__ import annotations

from django_tasks import task

from tuki.reports import facts


@task()
def refresh_facts(ticket_ids: list[int]) -> None:
    """Recompute these tickets' facts from their stored history (an upsert computed from
    the history alone: a second run writes the same rows)."""
    facts.refresh(ticket_ids)
