"""Assist's tasks: retrain one kind's model, and compute semantic vectors (both minutes of
CPU at worst, so never in a request)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from tuki.assist import semantic, services
from tuki.lib import taskqueue


@task()
def retrain(kind: str) -> int | None:
    """Fit a new model of `kind`; its id, or None when there are too few resolved tickets."""
    model = services.train(kind)
    return None if model is None else model.pk


def _embed_together(calls: list[tuple[list[Any], dict[str, Any]]]) -> list[None]:
    """Many queued tickets embedded as one batch (the model is quicker per text in batches)."""
    semantic.embed_tickets({args[0] if args else kwargs["ticket_id"] for args, kwargs in calls})
    return [None] * len(calls)


@task()
@taskqueue.batched(_embed_together, size=64)
def embed_ticket(ticket_id: int) -> None:
    """Re-read the ticket and compute its vector if its text changed (safe to run twice)."""
    semantic.embed_tickets([ticket_id])


@task()
def embed_document(kind: str, object_id: int) -> int:
    """Bring one document's vectors (every language of it) in step with its text."""
    return semantic.embed_documents(kind, [object_id])
