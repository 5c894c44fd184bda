"""Background work for search: keeping a ticket's index entry in step (run by `tuki worker`)."""

from __future__ import annotations

from django_tasks import task

from tuki.search import documents


@task()
def index_ticket(ticket_id: int) -> None:
    """Re-read the ticket and replace its document (idempotent: duplicates are harmless)."""
    documents.index_ticket(ticket_id)
