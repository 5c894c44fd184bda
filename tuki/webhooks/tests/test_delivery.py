"""Signed deliveries to a real local endpoint: signing, retries with back-off, exactly once."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tuki.conftest import Desk
from tuki.lib.errors import ServiceError
from tuki.tickets.models import Ticket
from tuki.webhooks import services
from tuki.webhooks.models import DeliveryState, Webhook, WebhookDelivery
from tuki.webhooks.tests.receiver import Receiver, closed_port_url


def _hook(desk: Desk, url: str, events: list[str] | None = None) -> Webhook:
    return services.create_webhook(desk.admin, name="CMDB", url=url, events=events or [])


def _make_due(delivery: WebhookDelivery) -> None:
    """Time passes until the next attempt (the test does not wait for it)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_delivery_is_signed_and_verifiable(
    desk: Desk, incident: Ticket, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    hook = _hook(desk, receiver.url)
    receiver.secret = hook.secret
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.queue_delivery(hook, incident, "created", {"why": "test"})
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.path == "/hooks/tuki"
    assert receiver.verified(request)
    assert request.headers["X-Tuki-Event"] == "created"
    assert request.headers["X-Tuki-Delivery"] == str(delivery.pk)
    assert request.headers["Content-Type"].startswith("application/json")
    body = json.loads(request.body)
    assert body["delivery"] == delivery.pk and body["event"] == "created"
    assert body["data"] == {"why": "test"}
    ticket = body["ticket"]
    assert ticket["number"] == incident.number and ticket["title"] == incident.title
    assert (ticket["kind"], ticket["status"], ticket["priority"]) == ("incident", "new", 3)
    assert ticket["group"] == "Service Desk" and ticket["assignee"] is None
    assert ticket["requester"] == "maija@acme.fi"
    assert ticket["url"].endswith(f"/desk/tickets/{incident.number}/")
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.attempts == 1
    assert delivery.response_status == 200 and delivery.response_body == "ok"
    assert delivery.delivered_at is not None and delivery.duration_ms is not None
    assert delivery.request_headers["X-Tuki-Signature"] == request.headers["X-Tuki-Signature"]
    assert delivery.request_body.encode() == request.body


def test_a_tampered_body_or_other_secret_does_not_verify(
    desk: Desk, incident: Ticket, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    hook = _hook(desk, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_delivery(hook, incident, "updated")
    request = receiver.requests[0]
    receiver.secret = "whsec_not-the-secret"
    assert not receiver.verified(request)
    receiver.secret = hook.secret
    request.body = request.body.replace(b"updated", b"created")
    assert not receiver.verified(request)


def test_a_500_is_retried_after_a_minute(
    desk: Desk, incident: Ticket, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    receiver.statuses = [500]
    hook = _hook(desk, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.queue_delivery(hook, incident, "updated")
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 1
    assert delivery.response_status == 500
    assert len(delivery.response_body) == 1024  # the first KB of the answer, no more
    assert "500" in delivery.error
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(minutes=1)
    assert services.deliver(delivery.pk) == "not due"  # too early: nobody sends it
    _make_due(delivery)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliver_due() == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.attempts == 2
    assert delivery.error == "" and delivery.response_status == 200
    assert len(receiver.requests) == 2
    first, second = (json.loads(r.body) for r in receiver.requests)
    assert first == second  # the same delivery, the same payload


def test_a_closed_port_backs_off_then_fails(
    desk: Desk, incident: Ticket, django_capture_on_commit_callbacks
) -> None:
    hook = _hook(desk, closed_port_url())
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.queue_delivery(hook, incident, "updated")
    waits = []
    for attempt in range(1, 7):
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert "URLError" in delivery.error or "Connection" in delivery.error
        if attempt == 6:
            break
        assert delivery.state == DeliveryState.PENDING
        waits.append(delivery.next_attempt_at - delivery.last_attempt_at)
        _make_due(delivery)
        services.deliver(delivery.pk)
    assert waits == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=12),
    ]
    assert delivery.state == DeliveryState.FAILED and delivery.next_attempt_at is None
    assert services.deliver(delivery.pk) == "not due"


def test_a_timeout_is_an_error_and_retried(
    desk: Desk, incident: Ticket, receiver: Receiver, settings, django_capture_on_commit_callbacks
) -> None:
    settings.WEBHOOK_TIMEOUT = 0.2
    receiver.hang_seconds = 1
    hook = _hook(desk, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.queue_delivery(hook, incident, "updated")
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING
    assert "timed out" in delivery.error.lower()
    assert delivery.response_status is None


def test_the_timeout_is_never_more_than_ten_seconds(settings) -> None:
    settings.WEBHOOK_TIMEOUT = 600
    assert services.timeout() == 10


def test_only_one_worker_claims_a_delivery(
    desk: Desk, incident: Ticket, receiver: Receiver
) -> None:
    hook = _hook(desk, receiver.url)
    delivery = services.queue_delivery(hook, incident, "updated")  # on_commit not run: queued
    assert services.claim(delivery.pk) is not None
    assert services.claim(delivery.pk) is None
    assert services.deliver(delivery.pk) == "not due"
    assert receiver.requests == []


def test_a_sent_delivery_is_not_sent_again(
    desk: Desk, incident: Ticket, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    hook = _hook(desk, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.queue_delivery(hook, incident, "updated")
    assert services.deliver(delivery.pk) == "not due"
    assert services.deliver_due() == 0
    assert len(receiver.requests) == 1


def test_a_worker_that_vanished_is_caught_up(
    desk: Desk, incident: Ticket, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    hook = _hook(desk, receiver.url)
    delivery = services.queue_delivery(hook, incident, "updated")
    assert services.claim(delivery.pk) is not None  # ... and the worker died here
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliver_due() == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and len(receiver.requests) == 1


def test_a_redirect_is_not_followed(
    desk: Desk, incident: Ticket, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    receiver.statuses = [302]
    hook = _hook(desk, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.queue_delivery(hook, incident, "updated")
    delivery.refresh_from_db()
    assert delivery.response_status == 302 and delivery.state == DeliveryState.PENDING


def test_retry_starts_a_failed_delivery_again(
    desk: Desk, incident: Ticket, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    hook = _hook(desk, receiver.url)
    delivery = services.queue_delivery(hook, incident, "updated")
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.FAILED, attempts=6)
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_delivery(desk.admin, delivery)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.attempts == 1
    with pytest.raises(ServiceError):
        services.retry_delivery(desk.admin, delivery)


def test_send_test_pings_the_endpoint(
    desk: Desk, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    hook = _hook(desk, receiver.url)
    receiver.secret = hook.secret
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.send_test(desk.admin, hook)
    body = json.loads(receiver.requests[0].body)
    assert body["event"] == "ping" and body["ticket"] is None
    assert receiver.verified(receiver.requests[0])
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT


def test_an_inactive_webhook_is_not_queued(desk: Desk, incident: Ticket) -> None:
    hook = services.create_webhook(
        desk.admin, name="Off", url="https://example.com/x", is_active=False
    )
    with pytest.raises(ServiceError) as caught:
        services.queue_delivery(hook, incident, "updated")
    assert caught.value.code == "inactive"


def test_each_attempt_is_logged(
    desk: Desk, incident: Ticket, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    receiver.statuses = [500, 502]
    hook = _hook(desk, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.queue_delivery(hook, incident, "updated")
    for _ in range(2):
        _make_due(delivery)
        services.deliver(delivery.pk)
    log = list(delivery.attempt_log.values_list("number", "response_status"))
    assert log == [(1, 500), (2, 502), (3, 200)]
    page = desk.client_for(desk.admin).get(f"/webhooks/deliveries/{delivery.pk}/").content.decode()
    assert "HTTP 500" in page and "HTTP 502" in page


def test_a_webhook_switched_off_meanwhile_sends_nothing(
    desk: Desk, incident: Ticket, receiver: Receiver
) -> None:
    hook = _hook(desk, receiver.url)
    delivery = services.queue_delivery(hook, incident, "updated")
    services.update_webhook(desk.admin, hook, is_active=False)
    assert services.deliver(delivery.pk) == DeliveryState.FAILED
    delivery.refresh_from_db()
    assert "switched off" in delivery.error and receiver.requests == []
