"""The webhooks API: administrators only, field errors, the delivery log, retry and test."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tuki.conftest import Desk
from tuki.webhooks import services
from tuki.webhooks.models import DeliveryState, Webhook, WebhookDelivery
from tuki.webhooks.tests.receiver import Receiver

API = "/api/v1/webhooks"


def call(client: Client, method: str, url: str, data: object = None):
    kwargs = {"content_type": "application/json"}
    if data is not None:
        kwargs["data"] = json.dumps(data)
    return getattr(client, method)(url, **kwargs)


@pytest.mark.parametrize(
    "role", ["requester", "outsider", "operator", "specialist", "lead", "other_agent"]
)
def test_not_for_non_administrators(desk: Desk, role: str) -> None:
    hook = services.create_webhook(desk.admin, name="H", url="https://x.example.com")
    client = desk.client_for(getattr(desk, role))
    assert client.get(f"{API}/").status_code == 404
    assert client.get(f"{API}/{hook.pk}").status_code == 404
    assert (
        call(client, "post", f"{API}/", {"name": "x", "url": "https://y.example.com"}).status_code
        == 404
    )
    assert call(client, "post", f"{API}/{hook.pk}/secret").status_code == 404
    assert call(client, "post", f"{API}/{hook.pk}/test").status_code == 404
    assert Webhook.objects.count() == 1 and not WebhookDelivery.objects.exists()


def test_anonymous(desk: Desk) -> None:
    assert Client().get(f"{API}/").status_code == 401


def test_create_returns_the_secret_once(desk: Desk) -> None:
    client = desk.client_for(desk.admin)
    response = call(
        client,
        "post",
        f"{API}/",
        {"name": "CMDB", "url": "https://cmdb.example.com/h", "events": ["created"]},
    )
    assert response.status_code == 201
    hook = Webhook.objects.get()
    assert response.json()["secret"] == hook.secret
    assert "secret" not in client.get(f"{API}/{hook.pk}").json()
    rotated = call(client, "post", f"{API}/{hook.pk}/secret").json()["secret"]
    assert rotated != hook.secret


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        ({"name": "x", "url": "ftp://example.com"}, "url"),
        ({"name": "x", "url": "https://example.com", "events": ["created", "nope"]}, "events.1"),
        ({"name": " ", "url": "https://example.com"}, "name"),
    ],
)
def test_bad_input(desk: Desk, data, loc: str) -> None:
    response = call(desk.client_for(desk.admin), "post", f"{API}/", data)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", loc]
    assert not Webhook.objects.exists()


def test_patch_and_delete(desk: Desk) -> None:
    client = desk.client_for(desk.admin)
    hook = services.create_webhook(desk.admin, name="H", url="https://x.example.com")
    response = call(client, "patch", f"{API}/{hook.pk}", {"is_active": False, "events": ["note"]})
    assert response.status_code == 200 and response.json()["events"] == ["note"]
    assert response.json()["is_active"] is False
    assert call(client, "patch", f"{API}/{hook.pk}", {"url": "mailto:a@b"}).status_code == 422
    assert call(client, "delete", f"{API}/{hook.pk}").status_code == 204
    assert not Webhook.objects.exists()


def test_test_log_and_retry(
    desk: Desk, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    client = desk.client_for(desk.admin)
    receiver.statuses = [503]
    hook = services.create_webhook(desk.admin, name="H", url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        response = call(client, "post", f"{API}/{hook.pk}/test")
    assert response.status_code == 202
    delivery_id = response.json()["id"]
    log = client.get(f"{API}/{hook.pk}/deliveries?state=pending").json()
    assert [d["id"] for d in log] == [delivery_id] and log[0]["response_status"] == 503
    detail = client.get(f"{API}/deliveries/{delivery_id}").json()
    assert detail["request_headers"]["X-Tuki-Event"] == "ping"
    assert [a["response_status"] for a in detail["attempt_log"]] == [503]
    assert json.loads(detail["request_body"])["event"] == "ping"
    with django_capture_on_commit_callbacks(execute=True):
        response = call(client, "post", f"{API}/deliveries/{delivery_id}/retry")
    assert response.status_code == 200
    assert WebhookDelivery.objects.get(pk=delivery_id).state == DeliveryState.SENT
    again = call(client, "post", f"{API}/deliveries/{delivery_id}/retry")
    assert again.status_code == 422
