"""The task worker: django-tasks-db's loop, made to survive what production does to it.

- **Database outages.** An OperationalError or InterfaceError out of the loop closes the
  connections and retries with a capped exponential back-off (TUKI_WORKER_MAX_BACKOFF),
  logging the outage once and the recovery once; the worker carries on afterwards.
- **Heartbeats and leases.** A thread of its own writes the worker's `WorkerHeartbeat`
  every few seconds, so a long task does not look dead. A task RUNNING under a worker not
  seen for the lease (TUKI_WORKER_LEASE seconds) lost its worker (killed, machine gone) and
  is put back to READY; the number of workers that claimed it (`worker_ids`) is its attempt
  count, and after TUKI_TASK_MAX_ATTEMPTS it is FAILED with the reason in its traceback.
- **Periodic jobs** (tuki/lib/periodic.py): between tasks every worker offers the due jobs,
  and one claims each period (scheduler.py).
- **Exactly once where it can be had.** A task marked `taskqueue.commits_with_result`
  does all its work in the database: it runs in one transaction with its SUCCESSFUL mark,
  so a worker killed midway leaves nothing behind and the retry does it all once.
  Every other task must be safe to run twice (architecture.md, "Tasks and timers").
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, InterfaceError, OperationalError, connections, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from tuki.lib import taskqueue
from tuki.server import scheduler
from tuki.server.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (OperationalError, InterfaceError)


def lease() -> timedelta:
    """How long a worker may stay silent before its running tasks are taken back."""
    return timedelta(seconds=max(5, int(getattr(settings, "WORKER_LEASE", 60))))


def max_attempts() -> int:
    return max(1, int(getattr(settings, "TASK_MAX_ATTEMPTS", 3)))


def max_backoff() -> float:
    return max(0.5, float(getattr(settings, "WORKER_MAX_BACKOFF", 30)))


class WorkerLost(Exception):
    """The reason recorded on a task given up after its workers kept disappearing."""


def beat(worker_id: str, *, started_at: datetime | None = None) -> None:
    """Record that `worker_id` is alive now."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={"seen_at": now},
            create_defaults={
                "seen_at": now,
                "started_at": started_at or now,
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
            },
        )


def reclaim_lost_tasks(*, dead: set[str] | None = None, now: datetime | None = None) -> int:
    """Put back the RUNNING tasks whose worker stopped beating (or is in `dead`).

    Returns how many were touched (back to READY, or FAILED after the last attempt). One
    transaction; on PostgreSQL the rows are locked with SKIP LOCKED, so two workers
    reclaiming at once never both take a row (SQLite has a single writer)."""
    now = now or timezone.now()
    cutoff = now - lease()
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True)
    ) - (dead or set())
    touched = 0
    with exclusive_transaction(DBTaskResult.objects.db):
        running = DBTaskResult.objects.running().select_for_update(skip_locked=True)
        if not dead:
            running = running.filter(started_at__lt=cutoff)
        for row in running:
            last = row.worker_ids[-1] if row.worker_ids else ""
            if (last not in dead) if dead else (last in alive):
                continue
            attempts = len(row.worker_ids)
            if attempts >= max_attempts():
                row.status = "FAILED"
                row.finished_at = now
                row.exception_class_path = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
                row.traceback = (
                    f"WorkerLost: the worker {last!r} stopped during attempt {attempts} of "
                    f"{max_attempts()} (no heartbeat for {lease().total_seconds():.0f} s); "
                    "not retried again."
                )
                row.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                logger.error("Task %s (%s) failed: %s", row.pk, row.task_path, row.traceback)
            else:
                row.status = "READY"
                row.save(update_fields=["status"])
                logger.warning(
                    "Task %s (%s) lost its worker %r on attempt %s; queued again",
                    row.pk,
                    row.task_path,
                    last,
                    attempts,
                )
            touched += 1
    return touched


class Heartbeat(threading.Thread):
    """Beats for a worker every `every` seconds until stopped; survives database outages."""

    def __init__(self, worker_id: str, every: float) -> None:
        super().__init__(name=f"tuki-heartbeat-{worker_id[:12]}", daemon=True)
        self.worker_id = worker_id
        self.every = every
        self.started_at = timezone.now()
        self._stop_event = threading.Event()
        self.failing = False

    def run(self) -> None:
        try:
            while True:
                try:
                    beat(self.worker_id, started_at=self.started_at)
                    self.failing = False
                except DatabaseError:
                    self.failing = True  # the worker's loop logs the outage
                    connections.close_all()
                if self._stop_event.wait(self.every):
                    return
        finally:
            connections.close_all()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(self.every + 5)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except DatabaseError:
            pass  # the lease runs out instead


class Listener:
    """A connection of its own that LISTENs to `tuki_tasks` (PostgreSQL; the trigger of
    migration server/0002 notifies when tasks are inserted), so an idle worker starts new
    work at once rather than at its next poll. If it fails, the worker polls as before."""

    CHANNEL = "tuki_tasks"

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.broken = False

    @classmethod
    def start(cls) -> Listener | None:
        import psycopg

        params = connections["default"].get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        try:
            conn = psycopg.connect(**params, autocommit=True)
            conn.execute(f"LISTEN {cls.CHANNEL}")
        except psycopg.Error as exc:
            logger.info("Not listening for new tasks (%s); polling", exc)
            return None
        return cls(conn)

    def wait(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds; True when a notification came."""
        import psycopg

        try:
            woken = any(True for _ in self.conn.notifies(timeout=timeout, stop_after=1))
            # Several inserts, one wake: drop the rest queued meanwhile.
            for _ in self.conn.notifies(timeout=0):
                pass
        except psycopg.Error:
            self.broken = True
            return False
        return woken

    def close(self) -> None:
        with contextlib.suppress(Exception):  # a broken connection: nothing more to do
            self.conn.close()


def _alike(
    rows: list[DBTaskResult], key: Callable[[DBTaskResult], Any]
) -> list[tuple[Any, list[DBTaskResult]]]:
    """The rows grouped by an equal (JSON) value, in first-seen order."""
    groups: dict[str, tuple[Any, list[DBTaskResult]]] = {}
    for row in rows:
        value = key(row)
        groups.setdefault(json.dumps(value, sort_keys=True, default=str), (value, []))[1].append(
            row
        )
    return list(groups.values())


class TukiWorker(Worker):
    """django-tasks-db's Worker with outage handling, a heartbeat, reclaiming and jobs."""

    def __init__(
        self,
        *,
        worker_id: str,
        interval: float = 1.0,
        queue_names: list[str] | None = None,
        excluded_queue_names: list[str] | None = None,
        backend_name: str = "default",
        startup_delay: bool = False,
        batch: bool = False,
        max_tasks: int | None = None,
        periodic: bool = True,
    ) -> None:
        super().__init__(
            queue_names=queue_names or ["*"],
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names or [],
        )
        self.periodic = periodic
        self.down_since: float | None = None
        self.backoff = 0.5
        self._wake = threading.Event()
        self._next_jobs = 0.0
        self.listener: Listener | None = None

    def stop(self) -> None:
        """Finish the running task, then leave the loop (from another thread)."""
        self.running = False
        self._wake.set()

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        """First SIGINT/SIGTERM: finish the running task, then stop; a second one: now."""
        if not self.running:
            super().shutdown(signum, frame)
            return
        logger.warning("Received %s - stopping after the running task", signal.strsignal(signum))
        self.stop()

    def run(self) -> None:
        logger.info("Starting worker %s", self.worker_id)
        heartbeat = Heartbeat(self.worker_id, every=max(1.0, lease().total_seconds() / 6))
        heartbeat.start()
        try:
            try:  # what a worker that died before this one left RUNNING, at once; and
                # this worker's own, if its loop was restarted (serving.WorkerThread)
                reclaim_lost_tasks()
                reclaim_lost_tasks(dead={self.worker_id})
            except OUTAGE_ERRORS as exc:
                self.outage(exc)
            while self.running:
                try:
                    done = self.step()
                except OUTAGE_ERRORS as exc:
                    self.outage(exc)
                    continue
                if self.down_since is not None:
                    self.recovered()
                if done:
                    return
        finally:
            heartbeat.stop()
            if self.listener is not None:
                self.listener.close()
                self.listener = None
            connections.close_all()

    def step(self) -> bool:
        """One turn of the loop: jobs, one task, a nap. True when the worker should stop."""
        connections["default"].close_if_unusable_or_obsolete()
        if self.periodic and time.monotonic() >= self._next_jobs:
            self._next_jobs = time.monotonic() + 1
            scheduler.run_due(self.worker_id)
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        task_result = None
        batch: list[DBTaskResult] = []
        retrieved = False
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
                    batch = self.claim_batch(tasks, task_result)
            retrieved = True
        except OperationalError as exc:
            if not is_locked_database_exception(exc):
                raise
            task_result = None  # locked (SQLite's one writer): try again
        if task_result is not None:
            if batch:
                self.run_batch([task_result, *batch])
            else:
                self.run_task(task_result)
        if self.batch and retrieved and task_result is None:
            return True
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            return True
        if self.running and task_result is None:
            self.nap()
        return False

    def nap(self) -> None:
        """Wait for work: until a new task's NOTIFY (PostgreSQL), the interval's end or
        `stop()` (seen within a second)."""
        if connections["default"].vendor == "postgresql" and self.listener is None:
            self.listener = Listener.start()
        deadline = time.monotonic() + self.interval
        while not self._wake.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if self.listener is None:
                self._wake.wait(left)
                return
            if self.listener.wait(min(left, 1.0)):
                return
            if self.listener.broken:
                self.listener.close()
                self.listener = None  # poll for the rest; listen again next time

    def outage(self, exc: Exception) -> None:
        if self.down_since is None:
            self.down_since = time.monotonic()
            logger.error(
                "Worker %s: the database is unreachable (%s: %s); retrying with back-off",
                self.worker_id,
                type(exc).__name__,
                str(exc).strip()[:200],
            )
        for conn in connections.all(initialized_only=True):
            try:
                conn.close()
            except DatabaseError:
                pass
        self._wake.wait(self.backoff)
        self.backoff = min(self.backoff * 2, max_backoff())

    def recovered(self) -> None:
        assert self.down_since is not None
        logger.warning(
            "Worker %s: the database is back after %.0f s",
            self.worker_id,
            time.monotonic() - self.down_since,
        )
        self.down_since = None
        self.backoff = 0.5
        # A task whose result could not be written during the outage is still RUNNING
        # under this worker, which runs one task at a time: it runs again.
        try:
            reclaim_lost_tasks(dead={self.worker_id})
        except OUTAGE_ERRORS as exc:
            self.outage(exc)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run one claimed task and record its result. A database outage on the way is
        raised to the loop (the task stays RUNNING and is taken back once it is over)."""
        self.running_task = True
        try:
            try:
                task = db_task_result.task
                sender = type(task.get_backend())
            except (ImportError, SuspiciousOperation) as exc:
                logger.exception("Task id=%s cannot be loaded", db_task_result.id)
                db_task_result.set_failed(exc)
                return
            task_result = db_task_result.task_result
            task_started.send(sender=sender, task_result=task_result)
            try:
                if getattr(task.func, taskqueue.COMMITS_WITH_RESULT, False):
                    with transaction.atomic():
                        if self._still_mine(db_task_result):
                            db_task_result.set_successful(self._call(task, task_result))
                else:
                    db_task_result.set_successful(self._call(task, task_result))
            except OUTAGE_ERRORS as exc:
                if isinstance(exc, InterfaceError) or not is_locked_database_exception(exc):
                    raise
                db_task_result.set_failed(exc)
            except BaseException as exc:
                db_task_result.set_failed(exc)
            task_finished.send(sender=sender, task_result=db_task_result.task_result)
        finally:
            self.running_task = False
            self._run_tasks += 1

    def claim_batch(self, tasks: Any, first: DBTaskResult) -> list[DBTaskResult]:
        """More ready tasks of `first`'s function, claimed with it, when the function runs
        in batches (`taskqueue.batched`): up to its size, skipping rows another worker holds."""
        try:
            marked = taskqueue.batch_of(first.task.func)
        except (ImportError, SuspiciousOperation):
            return []  # run_task records why it cannot be loaded
        if marked is None or marked[1] < 2:
            return []
        rows = list(
            tasks.filter(task_path=first.task_path)
            .exclude(pk=first.pk)
            .select_for_update(skip_locked=True)[: marked[1] - 1]
        )
        if not rows:
            return []
        now = timezone.now()
        for row in rows:
            row.status = "RUNNING"
            row.started_at = now
            row.worker_ids = [*row.worker_ids, self.worker_id]
        # One UPDATE per distinct value (rows mostly share theirs): cheaper than bulk_update's
        # CASE over every row.
        for worker_ids, same in _alike(rows, lambda row: row.worker_ids):
            DBTaskResult.objects.filter(pk__in=[row.pk for row in same]).update(
                status="RUNNING", started_at=now, worker_ids=worker_ids
            )
        return rows

    def run_batch(self, rows: list[DBTaskResult]) -> None:
        """Run claimed tasks of one batched function with one call of its bulk function and
        mark them all; if that fails, run each on its own (one bad call fails alone)."""
        task = rows[0].task
        marked = taskqueue.batch_of(task.func)
        assert marked is not None  # claim_batch found it
        bulk = marked[0]
        sender = type(task.get_backend())
        self.running_task = True
        try:
            for row in rows:
                task_started.send(sender=sender, task_result=row.task_result)
            try:
                if getattr(task.func, taskqueue.COMMITS_WITH_RESULT, False):
                    with transaction.atomic():
                        rows = self._still_mine_all(rows)
                        if rows:
                            self._mark_successful(rows, self._bulk_call(bulk, rows))
                else:
                    self._mark_successful(rows, self._bulk_call(bulk, rows))
            except OUTAGE_ERRORS as exc:
                if isinstance(exc, InterfaceError) or not is_locked_database_exception(exc):
                    raise
                self._one_by_one(rows, exc)
                return
            except Exception as exc:
                self._one_by_one(rows, exc)
                return
            for row in rows:
                task_finished.send(sender=sender, task_result=row.task_result)
                self._run_tasks += 1
        finally:
            self.running_task = False

    def _one_by_one(self, rows: list[DBTaskResult], exc: Exception) -> None:
        logger.warning(
            "A batch of %s %s tasks failed (%s: %s); running them one by one",
            len(rows),
            rows[0].task_path,
            type(exc).__name__,
            str(exc)[:200],
        )
        for row in rows:
            self.run_task(row)

    @staticmethod
    def _bulk_call(bulk: Any, rows: list[DBTaskResult]) -> list[Any]:
        calls = [(row.task_result.args, row.task_result.kwargs) for row in rows]
        values = list(bulk(calls))
        if len(values) != len(rows):
            raise ValueError(f"{bulk!r} returned {len(values)} results for {len(rows)} calls")
        return values

    @staticmethod
    def _mark_successful(rows: list[DBTaskResult], values: list[Any]) -> None:
        now = timezone.now()
        for row, value in zip(rows, values, strict=True):
            row.status = "SUCCESSFUL"
            row.finished_at = now
            row.return_value = value
            row.exception_class_path = ""
            row.traceback = ""
        for value, same in _alike(rows, lambda row: row.return_value):
            DBTaskResult.objects.filter(pk__in=[row.pk for row in same]).update(
                status="SUCCESSFUL",
                finished_at=now,
                return_value=value,
                exception_class_path="",
                traceback="",
            )

    def _still_mine_all(self, rows: list[DBTaskResult]) -> list[DBTaskResult]:
        """Lock the rows; those still RUNNING under this worker (not reclaimed meanwhile)."""
        current = dict(
            DBTaskResult.objects.select_for_update()
            .filter(pk__in=[row.pk for row in rows], status="RUNNING")
            .values_list("pk", "worker_ids")
        )
        return [
            row for row in rows if current.get(row.pk) and current[row.pk][-1] == self.worker_id
        ]

    @staticmethod
    def _call(task: Any, task_result: Any) -> Any:
        """Call a django_tasks Task with its stored arguments (and context if it takes it)."""
        args, kwargs = task_result.args, task_result.kwargs
        if task.takes_context:
            return task.call(TaskContext(task_result=task_result), *args, **kwargs)
        return task.call(*args, **kwargs)

    def _still_mine(self, row: DBTaskResult) -> bool:
        """Lock the task's row: still RUNNING under this worker (not reclaimed meanwhile)."""
        current = (
            DBTaskResult.objects.select_for_update()
            .filter(pk=row.pk, status="RUNNING")
            .values_list("worker_ids", flat=True)
            .first()
        )
        return bool(current) and current[-1] == self.worker_id  # type: ignore[index]  # a list when found
