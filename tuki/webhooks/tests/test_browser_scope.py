"""A delivery of a restricted ticket in real Chromium, as an administrator outside its
groups reads the log: "hidden: restricted ticket". Screenshots at 1280 and 390 px."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.conftest import make_user
from tuki.macros.tests.test_browser_macros import sign_in
from tuki.webhooks import services
from tuki.webhooks.models import WebhookDelivery
from tuki.webhooks.tests.test_scope import URL, hr_case

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_the_log_hides_a_restricted_ticket(
    chromium: Any, live_server: Any, desk: Any, shoot: Any, width: int
) -> None:
    hook = services.create_webhook(desk.admin, name="All", url=URL, events=["created"])
    secret = hr_case(desk)
    delivery = WebhookDelivery.objects.get(webhook=hook, ticket=secret)
    staff = make_user(
        "staff@tuki.test", "Stella Staff", is_agent=True, is_staff=True, sees_all_tickets=True
    )
    page = sign_in(chromium, live_server.url, staff.email)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/webhooks/{hook.pk}/deliveries/")
    page.wait_for_selector("text=hidden: restricted ticket")
    shoot(page, f"log-{width}")
    page.goto(f"{live_server.url}/webhooks/deliveries/{delivery.pk}/")
    page.wait_for_selector("text=its request and response are not shown")
    shoot(page, f"delivery-{width}")
    assert "Dismissal" not in page.content()
    page.goto(f"{live_server.url}/webhooks/{hook.pk}/")
    shoot(page, f"webhook-{width}")
