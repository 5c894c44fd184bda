"""A webhook whose secret no configured key opens is not signed with an empty secret."""

from __future__ import annotations

from typing import Any

from tuki.conftest import Desk
from tuki.lib import crypto
from tuki.tickets.models import Ticket
from tuki.webhooks import services
from tuki.webhooks.models import DeliveryState
from tuki.webhooks.tests.receiver import Receiver


def test_a_secret_no_key_opens_fails_the_delivery_with_a_clear_error(
    desk: Desk,
    incident: Ticket,
    receiver: Receiver,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    hook = services.create_webhook(desk.admin, name="H", url=receiver.url)
    settings.ENCRYPTION_KEYS = [crypto.new_key()]
    hook.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.queue_delivery(hook, incident, "updated")
    delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.state == DeliveryState.PENDING
    assert "cannot be decrypted" in delivery.error and "TUKI_ENCRYPTION_KEY" in delivery.error
