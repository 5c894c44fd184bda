"""The task workers' own rows: who is alive (heartbeats) and the periodic jobs' schedule."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One running worker, seen every few seconds (tuki/server/worker.py).

    A task RUNNING under a worker whose `seen_at` is older than the lease
    (TUKI_WORKER_LEASE) lost its worker and is put back in the queue."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.worker_id


class PeriodicJob(models.Model):
    """When a registered periodic job (tuki/lib/periodic.py) is next due, and its last run.

    Workers claim a due job with a conditional UPDATE of `next_run_at`: one per period."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_worker = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name
