"""Runs the periodic jobs (tuki/lib/periodic.py): each once per period across all workers.

Each job has a `PeriodicJob` row. A worker claims a due job with one conditional UPDATE,
`SET next_run_at = now + every WHERE name = ... AND next_run_at <= now`: on any database
exactly one worker's UPDATE counts a row, and only that worker runs the job this period.
A job that fails is logged and kept on its row (`last_error`); the next period tries again.
"""

from __future__ import annotations

import logging
import time

from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError
from django.utils import timezone

from tuki.lib import periodic
from tuki.server.models import PeriodicJob

logger = logging.getLogger(__name__)


def ensure_rows(known: set[str]) -> None:
    """A row per registered job, due now if new."""
    names = [job.name for job in periodic.jobs()]
    missing = [PeriodicJob(name=n, next_run_at=timezone.now()) for n in names if n not in known]
    if missing:
        try:
            PeriodicJob.objects.bulk_create(missing, ignore_conflicts=True)
        except IntegrityError:  # another worker made them at the same instant
            pass


def claim(job: periodic.Job, worker_id: str) -> bool:
    """Take this period of `job` for `worker_id`; False if another worker has it."""
    now = timezone.now()
    return (
        PeriodicJob.objects.filter(name=job.name, next_run_at__lte=now).update(
            next_run_at=now + job.every, last_run_at=now, last_worker=worker_id[:64]
        )
        == 1
    )


def run_due(worker_id: str) -> list[str]:
    """Run every job due now that this worker claims; the names of those it ran."""
    rows = dict(PeriodicJob.objects.values_list("name", "next_run_at"))
    jobs = periodic.jobs()
    if any(job.name not in rows for job in jobs):
        ensure_rows(set(rows))
        rows = dict(PeriodicJob.objects.values_list("name", "next_run_at"))
    now = timezone.now()
    ran = []
    for job in jobs:
        due = rows.get(job.name)
        if due is None or due > now or not claim(job, worker_id):
            continue
        started = time.monotonic()
        error = ""
        try:
            job.run()
        except (OperationalError, InterfaceError):
            raise  # the database went away: the worker's loop handles the outage
        except Exception as exc:
            logger.exception("Periodic job %s failed", job.name)
            error = f"{type(exc).__name__}: {exc}"[:2000]
        logger.debug("Periodic job %s: %.1f s", job.name, time.monotonic() - started)
        try:
            PeriodicJob.objects.filter(name=job.name).update(last_error=error)
        except DatabaseError:
            pass
        ran.append(job.name)
    return ran
