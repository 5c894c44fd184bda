"""The periodic jobs of Assist: queue a retraining of each kind once a day (quick: the
training runs as a task; safe to run twice: a second model of the day is only newer), and
decide the routed suggestions whose tickets are settled (two UPDATEs; safe to run twice)."""

from __future__ import annotations

from datetime import timedelta

from tuki.assist import services, tasks
from tuki.assist.models import Kind
from tuki.lib import taskqueue

EVERY = timedelta(days=1)
SETTLE_EVERY = timedelta(minutes=15)


def retrain_due() -> int:
    for kind in Kind.values:
        taskqueue.enqueue(tasks.retrain, kind)
    return len(Kind.values)


def settle_due() -> int:
    accepted, rejected = services.settle_routed()
    return accepted + rejected
