"""Background work for directories, run by the task worker (`tuki worker`)."""

from __future__ import annotations

from django_tasks import task

from tuki.identity import sync
from tuki.identity.models import Directory


@task()
def sync_directory(directory_id: int) -> str:
    """Sync one directory (the periodic job queues one per active directory each period)."""
    directory = Directory.objects.filter(pk=directory_id, is_active=True, sync_enabled=True).first()
    if directory is None:
        return "no such active directory"
    return sync.sync_directory(directory).text()
