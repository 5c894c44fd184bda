"""Periodic clean-ups of the workers' own rows (registered in apps.py)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tuki.server.models import WorkerHeartbeat

GONE_AFTER = timedelta(days=1)


def forget_workers() -> int:
    """Heartbeats of workers gone for a day (a clean stop deletes its own at once)."""
    deleted, _ = WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - GONE_AFTER).delete()
    return deleted


def delete_finished_tasks(limit: int = 10_000) -> int:
    """Task results older than TUKI_TASK_RESULT_DAYS (successful) or three times that
    (failed, kept longer for whoever looks into them), at most `limit` per run."""
    days = max(1, int(getattr(settings, "TASK_RESULT_DAYS", 7)))
    now = timezone.now()
    old = DBTaskResult.objects.filter(
        status="SUCCESSFUL", finished_at__lt=now - timedelta(days=days)
    ) | DBTaskResult.objects.filter(status="FAILED", finished_at__lt=now - timedelta(days=3 * days))
    ids = list(old.values_list("pk", flat=True)[:limit])
    deleted, _ = DBTaskResult.objects.filter(pk__in=ids).delete()
    return deleted
