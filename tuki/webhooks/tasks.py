"""Webhook background work, run by the task worker (`tuki worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_webhook(delivery_id: int) -> str:
    """One attempt of one delivery (services.deliver); then catch up on any lost ones."""
    from tuki.webhooks import services

    state = services.deliver(delivery_id)
    services.deliver_due(limit=20)  # retries whose deferred task was lost (crash, no defer)
    return state


@task()
def deliver_due_webhooks() -> int:
    """Every delivery already due (after a worker outage); each is still sent once."""
    from tuki.webhooks import services

    return services.deliver_due()
