"""Background work for notifications, run by the task worker (`tuki worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def notify_events(event_ids: list[int]) -> str:
    """Tell the right people about one change to a ticket (receivers.py explains batches)."""
    from tuki.notifications.receivers import process

    return process(event_ids)
