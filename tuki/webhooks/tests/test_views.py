"""Webhook pages: administrators only (everyone else a 404), field errors, the delivery log."""

from __future__ import annotations

import pytest
from django.test import Client

from tuki.conftest import Desk
from tuki.lib.testing import query_budget
from tuki.tickets.models import Ticket
from tuki.webhooks import services
from tuki.webhooks.models import DeliveryState, Webhook, WebhookDelivery
from tuki.webhooks.tests.receiver import Receiver, closed_port_url

NOT_ADMINS = ["requester", "colleague", "outsider", "operator", "specialist", "lead", "other_agent"]


def client_for(desk: Desk, role: str) -> Client:
    return Client() if role == "anonymous" else desk.client_for(getattr(desk, role))


@pytest.fixture
def hook(desk: Desk) -> Webhook:
    return services.create_webhook(
        desk.admin, name="CMDB", url="https://cmdb.example.com/hook", events=["created"]
    )


@pytest.fixture
def delivery(desk: Desk, hook: Webhook, incident: Ticket) -> WebhookDelivery:
    return services.queue_delivery(hook, incident, "created")  # on_commit not run: pending


def _urls(hook: Webhook, delivery: WebhookDelivery) -> list[tuple[str, str]]:
    return [
        ("get", "/webhooks/"),
        ("get", "/webhooks/new/"),
        ("get", f"/webhooks/{hook.pk}/"),
        ("get", f"/webhooks/{hook.pk}/deliveries/"),
        ("get", f"/webhooks/deliveries/{delivery.pk}/"),
        ("post", f"/webhooks/{hook.pk}/secret/rotate/"),
        ("post", f"/webhooks/{hook.pk}/test/"),
        ("post", f"/webhooks/deliveries/{delivery.pk}/retry/"),
        ("post", f"/webhooks/{hook.pk}/delete/"),
    ]


@pytest.mark.parametrize("role", [*NOT_ADMINS, "anonymous"])
def test_only_administrators_reach_any_page(desk: Desk, hook, delivery, role: str) -> None:
    client = client_for(desk, role)
    secret = hook.secret
    deliveries = WebhookDelivery.objects.count()
    for method, url in _urls(hook, delivery):
        response = getattr(client, method)(url)
        expected = 302 if role == "anonymous" else 404
        assert response.status_code == expected, url
        assert secret not in response.content.decode()
    hook.refresh_from_db()
    assert hook.secret == secret and Webhook.objects.count() == 1
    assert WebhookDelivery.objects.count() == deliveries


def test_admin_pages_render(desk: Desk, hook, delivery) -> None:
    client = desk.client_for(desk.admin)
    for url in (
        "/webhooks/",
        "/webhooks/new/",
        f"/webhooks/{hook.pk}/",
        f"/webhooks/{hook.pk}/deliveries/",
        f"/webhooks/deliveries/{delivery.pk}/",
        f"/webhooks/{hook.pk}/deliveries/?state=failed&page=9",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/webhooks/999999/").status_code == 404
    assert client.get("/webhooks/deliveries/999999/").status_code == 404


def test_the_secret_is_write_only(desk: Desk, hook) -> None:
    client = desk.client_for(desk.admin)
    assert hook.secret not in client.get(f"/webhooks/{hook.pk}/").content.decode()
    assert hook.secret not in client.get(f"/webhooks/{hook.pk}/?secret=1").content.decode()
    # The reveal button is gone: a lost secret is replaced, not read back.
    assert client.post(f"/webhooks/{hook.pk}/secret/").status_code == 404


def test_creating_a_webhook_shows_its_secret_once(desk: Desk) -> None:
    client = desk.client_for(desk.admin)
    response = client.post(
        "/webhooks/new/",
        {
            "name": "Chat",
            "url": "https://chat.example.com/in",
            "events": ["reply", "sla_breach"],
            "is_active": "on",
        },
    )
    hook = Webhook.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/webhooks/{hook.pk}/"
    assert hook.events == ["reply", "sla_breach"] and hook.secret.startswith("whsec_")
    assert hook.secret in client.get(response["Location"]).content.decode()
    assert hook.secret not in client.get(response["Location"]).content.decode()  # once


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "example.com/hook",
        "https://user:pw@example.com/x",
        "http://",
    ],
)
def test_only_http_and_https_urls(desk: Desk, url: str) -> None:
    response = desk.client_for(desk.admin).post("/webhooks/new/", {"name": "Bad", "url": url})
    assert response.status_code == 422
    assert "url" in response.context["form"].errors
    assert not Webhook.objects.exists()


def test_unknown_event_is_a_field_error(desk: Desk) -> None:
    response = desk.client_for(desk.admin).post(
        "/webhooks/new/", {"name": "Bad", "url": "https://x.example.com", "events": ["deleted"]}
    )
    assert response.status_code == 422 and "events" in response.context["form"].errors
    assert not Webhook.objects.exists()


def test_edit_keeps_the_secret(desk: Desk, hook) -> None:
    response = desk.client_for(desk.admin).post(
        f"/webhooks/{hook.pk}/",
        {"name": "CMDB 2", "url": "http://cmdb.local/h", "events": ["note"]},
    )
    assert response.status_code == 302
    updated = Webhook.objects.get(pk=hook.pk)
    assert (updated.name, updated.url, updated.events, updated.is_active) == (
        "CMDB 2",
        "http://cmdb.local/h",
        ["note"],
        False,
    )
    assert updated.secret == hook.secret


def test_rotate_makes_a_new_secret(desk: Desk, hook) -> None:
    client = desk.client_for(desk.admin)
    response = client.post(f"/webhooks/{hook.pk}/secret/rotate/")
    assert response.status_code == 302
    new = Webhook.objects.get(pk=hook.pk).secret
    assert new != hook.secret
    assert new in client.get(response["Location"]).content.decode()
    assert new not in client.get(response["Location"]).content.decode()  # shown once


def test_send_test_and_the_log_show_request_and_response(
    desk: Desk, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    hook = services.create_webhook(desk.admin, name="Local", url=receiver.url)
    client = desk.client_for(desk.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/webhooks/{hook.pk}/test/")
    delivery = WebhookDelivery.objects.get()
    assert response["Location"] == f"/webhooks/deliveries/{delivery.pk}/"
    response = client.get(response["Location"])
    assert delivery.state == DeliveryState.SENT and delivery.event == "ping"
    page = response.content.decode()
    for text in (
        "X-Tuki-Signature: sha256=",
        "X-Tuki-Event: ping",
        "&quot;event&quot;: &quot;ping&quot;",
        "HTTP 200",
    ):
        assert text in page, text
    log = client.get(f"/webhooks/{hook.pk}/deliveries/").content.decode()
    assert "ping" in log and "HTTP 200" in log


def test_retry_button(
    desk: Desk, receiver: Receiver, incident: Ticket, django_capture_on_commit_callbacks
) -> None:
    hook = services.create_webhook(desk.admin, name="Local", url=closed_port_url())
    client = desk.client_for(desk.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/webhooks/{hook.pk}/test/")
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.PENDING and delivery.error
    Webhook.objects.filter(pk=hook.pk).update(url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/webhooks/deliveries/{delivery.pk}/retry/", follow=True)
    assert response.status_code == 200
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    again = client.post(f"/webhooks/deliveries/{delivery.pk}/retry/", follow=True)
    assert again.status_code == 200 and "delivered already" in again.content.decode()


def test_delete(desk: Desk, hook, delivery) -> None:
    response = desk.client_for(desk.admin).post(f"/webhooks/{hook.pk}/delete/")
    assert response.status_code == 302
    assert not Webhook.objects.exists() and not WebhookDelivery.objects.exists()


def test_the_log_pages_in_a_fixed_number_of_queries(desk: Desk, hook, incident: Ticket) -> None:
    for _ in range(30):
        services.queue_delivery(hook, incident, "created")
    client = desk.client_for(desk.admin)
    client.get(f"/webhooks/{hook.pk}/deliveries/")
    with query_budget(12):
        assert client.get(f"/webhooks/{hook.pk}/deliveries/").status_code == 200
    with query_budget(12):
        assert client.get("/webhooks/").status_code == 200
