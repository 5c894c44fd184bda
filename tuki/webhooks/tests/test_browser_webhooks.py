"""Webhooks in real Chromium: an administrator adds an endpoint, sends a test and reads the
delivery log. Screenshots land in test-artifacts/screenshots/."""

from __future__ import annotations

import pytest

from tuki.lib import crypto
from tuki.macros.tests.test_browser_macros import sign_in
from tuki.webhooks import services
from tuki.webhooks.models import DeliveryState, WebhookDelivery

pytestmark = pytest.mark.browser


def test_an_administrator_adds_a_webhook_and_reads_its_log(
    chromium, live_server, desk, receiver, shoot
) -> None:
    base = live_server.url
    page = sign_in(chromium, base, desk.admin.email)
    page.click("text=Administration")
    page.click("#manage-menu >> text=Webhooks")
    page.wait_for_url("**/webhooks/")
    shoot(page, "webhooks-empty")
    page.click("text=New webhook")
    page.fill("#id_name", "Ops chat")
    page.fill("#id_url", "ftp://chat.example.com")
    page.click("button:has-text('Save webhook')")
    page.wait_for_selector("text=Enter an http:// or https:// URL.")
    shoot(page, "webhook-bad-url")
    page.fill("#id_url", receiver.url)
    page.check("input[name=events][value=created]")
    page.check("input[name=events][value=sla_breach]")
    page.click("button:has-text('Save webhook')")
    page.wait_for_selector("#secret-value")
    secret = page.input_value("#secret-value")
    assert secret.startswith("whsec_")
    shoot(page, "webhook-created-secret")
    receiver.secret = secret
    page.click("button:has-text('Send test')")
    page.wait_for_selector("text=X-Tuki-Signature")
    shoot(page, "webhook-delivery")
    assert receiver.verified(receiver.requests[0])
    assert WebhookDelivery.objects.get().state == DeliveryState.SENT
    page.click("nav[aria-label=breadcrumb] >> text=Delivery log")
    page.wait_for_selector("text=ping")
    shoot(page, "webhook-log")
    page.goto(f"{base}/webhooks/")
    shoot(page, "webhooks-list")


@pytest.mark.parametrize("width", [1280, 390])
def test_an_inside_address_and_an_unreadable_secret_are_explained(
    chromium, live_server, desk, settings, shoot, width: int
) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    hook = services.create_webhook(desk.admin, name="CMDB", url="https://cmdb.example.invalid/h")
    page = sign_in(chromium, live_server.url, desk.admin.email)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/webhooks/new/")
    page.fill("#id_name", "Metadata")
    page.fill("#id_url", "http://169.254.169.254/latest/meta-data/")
    page.click("button:has-text('Save webhook')")
    page.wait_for_selector("text=not a public internet address")
    shoot(page, f"webhook-inside-address-{width}")
    settings.ENCRYPTION_KEYS = [crypto.new_key()]  # the key the secret was saved with is gone
    page.goto(f"{live_server.url}/webhooks/{hook.pk}/")
    page.wait_for_selector("text=cannot be decrypted")
    shoot(page, f"webhook-secret-unreadable-{width}")
