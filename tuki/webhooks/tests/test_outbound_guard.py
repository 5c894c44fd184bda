"""Server-side request forgery: webhooks reach the public internet only (tuki/lib/net.py).

The tests' endpoint is a real HTTP server on 127.0.0.1; the webhooks conftest allow-lists
loopback for the other tests, and these tests take that away (an empty allow-list, the
default of a real install) unless they are about the allow-list itself.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from tuki.conftest import Desk
from tuki.lib import net
from tuki.lib.errors import ServiceError
from tuki.tickets.models import Ticket
from tuki.webhooks import services
from tuki.webhooks.models import DeliveryState, Webhook, WebhookDelivery
from tuki.webhooks.tests.receiver import Receiver

INSIDE = [
    "http://127.0.0.1:{port}/hooks",
    "http://localhost:{port}/hooks",
    "http://[::1]:{port}/hooks",
    "http://127.1.2.3:{port}/hooks",
    "http://[::ffff:127.0.0.1]:{port}/hooks",  # IPv4-mapped IPv6
    "http://10.1.2.3/hooks",
    "http://172.16.0.1/hooks",
    "http://192.168.1.1/hooks",
    "http://100.64.0.1/hooks",  # carrier-grade NAT
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://[fd00:ec2::254]/latest/meta-data/",  # cloud metadata over IPv6
    "http://[fd12:3456::1]/hooks",  # unique local
    "http://[fe80::1]/hooks",  # link-local
    "http://224.0.0.1/hooks",  # multicast
    "http://0.0.0.0:{port}/hooks",  # unspecified: the local host on Linux
    "http://[::]:{port}/hooks",
    "http://2130706433:{port}/hooks",  # 127.0.0.1 as one number
    "http://[2002:7f00:1::1]/hooks",  # 6to4 of 127.0.0.1
    "http://[64:ff9b::a00:1]/hooks",  # NAT64 of 10.0.0.1
]


@pytest.fixture
def nothing_allowed(settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = []


@pytest.fixture
def port(receiver: Receiver) -> int:
    return int(receiver.url.split(":")[2].split("/")[0])


@pytest.mark.parametrize("template", INSIDE)
def test_a_webhook_to_an_inside_address_is_refused_when_saved(
    desk: Desk, nothing_allowed: None, port: int, template: str
) -> None:
    url = template.format(port=port)
    with pytest.raises(ServiceError) as caught:
        services.create_webhook(desk.admin, name="Inside", url=url)
    assert caught.value.field == "url" and caught.value.code == "blocked_address"
    assert "not a public internet address" in caught.value.message
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("template", INSIDE[:3] + ["http://10.0.0.7/x"])
def test_the_api_answers_422_on_the_url_field(
    desk: Desk, nothing_allowed: None, port: int, template: str
) -> None:
    body = {"name": "Inside", "url": template.format(port=port)}
    response = desk.client_for(desk.admin).post(
        "/api/v1/webhooks/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert "url" in json.dumps(response.json())
    assert not Webhook.objects.exists()


def test_the_form_shows_the_error_on_the_url_field(
    desk: Desk, nothing_allowed: None, receiver: Receiver
) -> None:
    response = desk.client_for(desk.admin).post(
        "/webhooks/new/", {"name": "Inside", "url": receiver.url}
    )
    assert response.status_code == 422
    assert "TUKI_WEBHOOK_ALLOWED_NETWORKS" in response.context["form"].errors["url"][0]
    assert not Webhook.objects.exists()


def test_editing_the_url_to_an_inside_address_is_refused(desk: Desk, nothing_allowed: None) -> None:
    hook = services.create_webhook(desk.admin, name="Out", url="https://hooks.example.invalid/x")
    with pytest.raises(ServiceError):
        services.update_webhook(desk.admin, hook, url="http://192.168.0.10/x")
    hook.refresh_from_db()
    assert hook.url == "https://hooks.example.invalid/x"


def test_a_delivery_to_an_inside_address_is_refused_and_nothing_is_sent(
    desk: Desk,
    incident: Ticket,
    receiver: Receiver,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Saved while the network was allowed (or written around the services): delivery checks.
    hook = services.create_webhook(desk.admin, name="Was allowed", url=receiver.url)
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.queue_delivery(hook, incident, "updated")
    delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.state == DeliveryState.PENDING and delivery.response_status is None
    assert "not a public internet address" in delivery.error
    assert delivery.response_body == ""
    # A webhook pointing inside can still be switched off (its URL does not change).
    services.update_webhook(desk.admin, hook, is_active=False)


def test_a_name_that_resolves_inside_is_refused_at_delivery(
    desk: Desk,
    incident: Ticket,
    receiver: Receiver,
    nothing_allowed: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    hook = services.create_webhook(desk.admin, name="Out", url="https://hooks.example.invalid/x")
    Webhook.objects.filter(pk=hook.pk).update(url=receiver.url.replace("127.0.0.1", "localhost"))
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.queue_delivery(Webhook.objects.get(), incident, "updated")
    delivery.refresh_from_db()
    assert receiver.requests == [] and "localhost" in delivery.error


def test_an_allow_listed_network_is_reached(
    desk: Desk,
    incident: Ticket,
    receiver: Receiver,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    hook = services.create_webhook(desk.admin, name="On premise", url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.queue_delivery(hook, incident, "updated")
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and len(receiver.requests) == 1
    # The rest of loopback is still out.
    with pytest.raises(ServiceError):
        services.create_webhook(desk.admin, name="Other", url="http://127.0.0.2/x")


def test_metadata_addresses_stay_out_even_inside_an_allowed_network(
    desk: Desk, settings: Any
) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = ["169.254.0.0/16", "fd00::/8", "0.0.0.0/0"]
    for url in ("http://169.254.169.254/latest/", "http://[fd00:ec2::254]/"):
        with pytest.raises(ServiceError):
            services.create_webhook(desk.admin, name="Metadata", url=url)
    services.create_webhook(desk.admin, name="Allowed", url="http://169.254.10.10/x")


def test_a_name_that_does_not_resolve_is_saved_and_fails_at_delivery(
    desk: Desk, incident: Ticket, nothing_allowed: None, django_capture_on_commit_callbacks: Any
) -> None:
    hook = services.create_webhook(desk.admin, name="Later", url="https://hooks.example.invalid/")
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.queue_delivery(hook, incident, "updated")
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING and delivery.error
    assert not WebhookDelivery.objects.filter(state=DeliveryState.SENT).exists()


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("::ffff:93.184.216.34", True),
        ("::ffff:10.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("::127.0.0.1", False),  # IPv4-compatible
        ("192.0.2.1", False),  # documentation
        ("198.18.0.1", False),  # benchmarking
        ("240.0.0.1", False),  # reserved
        ("255.255.255.255", False),
        ("ff02::1", False),
    ],
)
def test_the_address_rule(address: str, allowed: bool) -> None:
    assert net.is_allowed(ipaddress.ip_address(address), ()) is allowed


def test_a_bad_allow_list_stops_the_start() -> None:
    with pytest.raises(ImproperlyConfigured):
        net.parse_networks(["10.0.0.0/8", "intranet"])


def test_anonymous_gets_no_webhook_api(db: Any) -> None:
    assert Client().post(
        "/api/v1/webhooks/", "{}", content_type="application/json"
    ).status_code in (
        401,
        403,
    )


def test_every_address_of_a_name_must_be_allowed(
    desk: Desk, receiver: Receiver, port: int, settings: Any
) -> None:
    # localhost is 127.0.0.1 and ::1: allowing one of them is not enough.
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    if {str(a) for _f, a in net.resolve("localhost", port)} <= {"127.0.0.1"}:
        pytest.skip("localhost has only 127.0.0.1 here")
    with pytest.raises(ServiceError):
        services.create_webhook(desk.admin, name="Local", url=f"http://localhost:{port}/x")


def test_the_connection_goes_to_the_checked_address_under_the_name(
    receiver: Receiver, port: int, settings: Any
) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
    status, body = net.post(
        f"http://localhost:{port}/hooks?x=1", {"X-Test": "1"}, b"{}", timeout=5, limit=10
    )
    assert status == 200 and body == b"ok"
    request = receiver.requests[0]
    assert request.headers["Host"] == f"localhost:{port}" and request.path == "/hooks?x=1"
