"""Ticket events → notifications, in a task after the change commits.

1. `event_recorded` (inside the service's transaction) only collects the event's id into a
   batch for its ticket: no I/O, so the service stays quick.
2. The batch's on-commit callback enqueues one task with every event of that change (an
   assignment that also moves the status is one batch), so people are told once per change.
   A rolled-back change never enqueues (Django drops the callback).
   With the database queue, the batch is enqueued instead just before the service's
   transaction commits (`committing`): the task row commits with the change, no commit of
   its own.
3. The task (tasks.py) runs the rules (rules.py) and calls `services.notify`.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from tuki.lib import taskqueue
from tuki.notifications import tasks
from tuki.tickets.models import TicketEvent
from tuki.tickets.signals import committing, event_recorded


@dataclass(eq=False)
class Batch:
    ticket_id: int
    event_ids: list[int] = field(default_factory=list)
    flushed: bool = False
    in_transaction: bool = False
    callback: Callable[[], None] | None = None


_local = threading.local()


def _batches() -> list[Batch]:
    if not hasattr(_local, "batches"):
        _local.batches = []
    return _local.batches


def _open_batch(connection: Any, ticket_id: int) -> Batch:
    """The batch of this ticket in the current transaction, or a new one.

    A batch is live while its callback is still queued on the connection: Django empties
    the queue on commit and on rollback (and drops a rolled-back savepoint's callbacks).
    """
    queued = {id(entry[1]) for entry in connection.run_on_commit}
    live = [b for b in _batches() if not b.flushed and id(b.callback) in queued]
    _local.batches = live
    for batch in live:
        if batch.ticket_id == ticket_id:
            return batch
    batch = Batch(ticket_id)
    batch.callback = functools.partial(_flush, batch)
    live.append(batch)
    transaction.on_commit(batch.callback, robust=True)
    return batch


def forget_pending() -> None:
    """Tests: changes made so far count as committed without telling anyone (a test's
    transaction never commits; its fixtures' batches would swallow later events)."""
    for batch in _batches():
        batch.flushed = True
    _local.batches = []


def _flush(batch: Batch) -> None:
    if batch.in_transaction:
        return  # enqueued inside the transaction already (flush_in_transaction)
    batch.flushed = True
    if batch.event_ids:
        enqueue(batch.event_ids)


def enqueue(event_ids: list[int]) -> None:
    taskqueue.enqueue(tasks.notify_events, list(event_ids))


@receiver(committing, dispatch_uid="tuki.notifications.flush_in_transaction")
def flush_in_transaction(sender: type, **kwargs: Any) -> None:
    """The service's last event is recorded: with the database queue, write the batches'
    tasks into its transaction now rather than in one more transaction after the commit."""
    if not taskqueue.in_transaction(tasks.notify_events):
        return
    queued = {id(entry[1]) for entry in transaction.get_connection().run_on_commit}
    for batch in _batches():
        if not batch.flushed and id(batch.callback) in queued:
            batch.flushed = batch.in_transaction = True
            if batch.event_ids:
                enqueue(batch.event_ids)


@receiver(event_recorded, sender=TicketEvent, dispatch_uid="tuki.notifications.collect")
def collect(sender: type, event: TicketEvent, **kwargs: Any) -> None:
    connection = transaction.get_connection()
    if not connection.in_atomic_block:  # autocommit: the event is already committed
        enqueue([event.pk])
        return
    _open_batch(connection, event.ticket_id).event_ids.append(event.pk)
