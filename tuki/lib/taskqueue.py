"""Enqueueing follow-up work so that it commits with the change that sets it off.

With the database task backend (django-tasks-db, the default) a task is a row in the same
database: enqueued inside the change's transaction, it commits or rolls back with the change
and costs no commit of its own. Enqueued after commit (the only safe moment for a backend
outside the database: RQ, or the immediate backend of the tests, which runs the task at
once), each task is a transaction of its own: one more commit per follow-up per change.
Receivers ask `in_transaction()` and enqueue at the right moment for the backend.

A ticket service's transaction goes further (`collecting()`, used by `_writing` in
tuki/tickets/services/common.py): the tasks its change sets off are written together by one
INSERT just before it commits.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

_buffer: contextvars.ContextVar[list[tuple[Any, tuple[Any, ...], dict[str, Any]]] | None] = (
    contextvars.ContextVar("tuki_taskqueue_buffer", default=None)
)


def in_database(task: Any = None) -> bool:
    """Whether `task` (else the default backend's tasks) is queued as a row in this database."""
    try:
        from django_tasks_db.backend import DatabaseBackend
    except ImportError:  # pragma: no cover - the app is a dependency
        return False
    if task is not None:
        backend = task.get_backend()
    else:
        from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    return isinstance(backend, DatabaseBackend)


def in_transaction(task: Any = None) -> bool:
    """Whether enqueueing `task` now writes it into the caller's open transaction."""
    return connection.in_atomic_block and in_database(task)


def enqueue(task: Any, *args: Any, **kwargs: Any) -> None:
    """`task.enqueue(...)`, held back for one INSERT with the others when the caller's
    transaction is a service's that is collecting (and not inside a savepoint, whose
    rollback must take the task with it)."""
    buffer = _buffer.get()
    if buffer is not None and not connection.savepoint_ids and in_transaction(task):
        buffer.append((task, args, kwargs))
        return
    task.enqueue(*args, **kwargs)


def enqueue_with_change(task: Any, *args: Any, **kwargs: Any) -> None:
    """Queue `task` to run once the caller's change is saved, and never without it.

    With the database queue the task is a row written into the change's transaction: it
    commits or rolls back with the change and costs no commit of its own. With another
    backend it is enqueued after the commit (the task must find the change stored); an
    enqueue that fails then is logged, not raised, since the change is saved already.
    """
    if in_transaction(task):
        enqueue(task, *args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs), robust=True)


@contextmanager
def collecting() -> Iterator[None]:
    """Within this block (inside a transaction), `enqueue` collects; `flush()` writes."""
    token = _buffer.set([])
    try:
        yield
    finally:
        _buffer.reset(token)


def flush() -> None:
    """Write the collected tasks in one INSERT, as the database backend's enqueue would."""
    buffer = _buffer.get()
    if not buffer:
        return
    from django_tasks_db.compat import normalize_json, task_enqueued
    from django_tasks_db.models import DBTaskResult, get_date_max

    rows: list[DBTaskResult] = []
    backends = []
    for task, args, kwargs in buffer:
        backend = task.get_backend()
        backend.validate_task(task)
        rows.append(
            DBTaskResult(
                id=backend._get_id(),
                args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                # What the backend's pre_save handler does (bulk_create sends no signal).
                run_after=task.run_after or get_date_max(),
                backend_name=backend.alias,
            )
        )
        backends.append(backend)
    buffer.clear()
    DBTaskResult.objects.bulk_create(rows)
    for row, backend in zip(rows, backends, strict=True):
        task_enqueued.send(type(backend), task_result=row.task_result)


COMMITS_WITH_RESULT = "tuki_commits_with_result"


def commits_with_result(func: Any) -> Any:
    """Mark a task function (under `@task()`) whose work is all in the database: the worker
    (tuki/server/worker.py) runs it in one transaction with its SUCCESSFUL mark, so a
    worker killed midway leaves nothing and the retry does the work exactly once."""
    setattr(func, COMMITS_WITH_RESULT, True)
    return func


BATCH = "tuki_batch"


def batched(bulk: Any, *, size: int = 100) -> Any:
    """Mark a task function (under `@task()`) whose queued calls the worker may run together:
    it claims up to `size` ready tasks of this function at once and calls
    `bulk([(args, kwargs), ...])`, which does the work of all of them (one query round for
    many tickets instead of one per ticket) and returns one result per call, in order.

    If `bulk` raises, the worker runs each call on its own instead, so one bad call fails
    alone. The calls must be safe to run twice, as every task (a `commits_with_result`
    task's batch runs in one transaction with all its marks)."""

    def mark(func: Any) -> Any:
        setattr(func, BATCH, (bulk, max(1, size)))
        return func

    return mark


def batch_of(func: Any) -> tuple[Any, int] | None:
    """The (bulk, size) a task function was marked with, if any."""
    return getattr(func, BATCH, None)
