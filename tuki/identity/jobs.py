"""The periodic job of directories: queue a sync of each active directory whose period has
come. Quick (the syncs run as tasks) and safe to run twice (a sync is idempotent)."""

from __future__ import annotations

from tuki.identity import sync, tasks
from tuki.lib import taskqueue


def sync_due_directories() -> int:
    due = sync.due_directories()
    for directory in due:
        taskqueue.enqueue(tasks.sync_directory, directory.pk)
    return len(due)
