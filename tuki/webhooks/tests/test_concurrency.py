"""Several workers given the same delivery at once: the endpoint hears it exactly once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tuki.conftest import Desk
from tuki.tickets.models import Ticket
from tuki.webhooks import services
from tuki.webhooks.models import DeliveryState, WebhookDelivery
from tuki.webhooks.tests.receiver import Receiver


@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_one_delivery_send_it_once(
    desk: Desk, incident: Ticket, receiver: Receiver
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs a server database")
    hook = services.create_webhook(desk.admin, name="Race", url=receiver.url)
    delivery = WebhookDelivery.objects.create(webhook=hook, ticket=incident, event="updated")
    start = threading.Barrier(6)
    results: list[str] = []

    def worker() -> None:
        try:
            start.wait()
            results.append(services.deliver(delivery.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["not due"] * 5 + ["sent"]
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.attempts == 1
