"""Background work for search: keeping a ticket's index entry in step (run by `tuki worker`)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from tuki.lib import taskqueue
from tuki.search import documents


def _index_together(calls: list[tuple[list[Any], dict[str, Any]]]) -> list[None]:
    """Many queued index updates as one: each ticket read and written once, in bulk."""
    documents.index_tickets({args[0] if args else kwargs["ticket_id"] for args, kwargs in calls})
    return [None] * len(calls)


@task()
@taskqueue.batched(_index_together, size=200)
def index_ticket(ticket_id: int) -> None:
    """Re-read the ticket and replace its document (idempotent: duplicates are harmless)."""
    documents.index_ticket(ticket_id)


@task()
def index_field_tickets(key: str) -> None:
    """Re-index every ticket holding a value of this custom field (its definition changed),
    documents.CHUNK tickets at a time."""
    for ids in documents.tickets_with_field(key):
        documents.index_tickets(ids)
