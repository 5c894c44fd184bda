"""The periodic job of Assist: queue a retraining of each kind once a day. Quick (the
training runs as a task) and safe to run twice (a second model of the day is only newer)."""

from __future__ import annotations

from datetime import timedelta

from tuki.assist import tasks
from tuki.assist.models import Kind
from tuki.lib import taskqueue

EVERY = timedelta(days=1)


def retrain_due() -> int:
    for kind in Kind.values:
        taskqueue.enqueue(tasks.retrain, kind)
    return len(Kind.values)
