"""Webhook background work, run by the task worker (`tuki worker`).

This module imports the code its tasks run (services), and services import this module to
enqueue them: a delivery that fails plans its own retry. Both sides import the other as a
module and read its names at call time, so either may load first
(docs/development/architecture.md, "Layers": the task pattern).
"""

from __future__ import annotations

from django.core.cache import cache
from django_tasks import task

from tuki.webhooks import services

SWEEP_EVERY = 60  # seconds between catch-up sweeps, per cache


@task()
def deliver_webhook(delivery_id: int) -> str:
    """One attempt of one delivery (services.deliver); now and then a catch-up sweep."""
    state = services.deliver(delivery_id)
    # Retries whose deferred task was lost (a crash, or a backend that cannot defer). At
    # most once a minute: a sweep from every task would enqueue the same due rows over
    # and over while the queue drains.
    if cache.add("tuki:webhooks:sweep", 1, timeout=SWEEP_EVERY):
        services.deliver_due()
    return state


@task()
def deliver_due_webhooks() -> int:
    """Every delivery already due (after a worker outage); each is still sent once."""
    return services.deliver_due()
