"""SLA readings in real Chromium, at desktop and phone widths: the queue and the ticket page
show the same words for the same clock, with the deadline. Screenshots under
test-artifacts/screenshots/<test>/."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.sla.tests.conftest import hel
from tuki.tickets import services
from tuki.tickets.tests.test_browser_layout import PHONE, signed_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}


def reading_of(locator: Any) -> str:
    return " ".join(locator.inner_text().split())


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_the_queue_and_the_ticket_page_read_a_clock_alike(
    chromium, live_server, desk, sla, frozen, shoot, viewport
):
    urgent = services.create_ticket(
        desk.operator, title="VPN drops every hour", requester=desk.requester
    )
    frozen.at(hel(3, 9, 20))
    waiting = services.create_ticket(
        desk.operator, title="Printer asks for a driver", requester=desk.requester
    )
    services.change_status(desk.operator, waiting, "pending_customer")
    frozen.at(hel(3, 9, 50))
    page = signed_in(chromium, live_server.url, desk.operator.email, viewport)
    page.goto(f"{live_server.url}/desk/tickets/?sort=deadline")
    shoot(page, "queue")
    rows = page.locator(".ws-sla-reading")
    in_queue = [reading_of(rows.nth(n)) for n in range(rows.count())]
    assert in_queue == [
        "10 min business time left due 3 Mar 2025, 08:00",
        "paused with 1 h business time left no deadline while paused",
    ]
    page.goto(f"{live_server.url}{urgent.get_absolute_url()}")
    shoot(page, "ticket-page")
    on_page = page.locator("#sla-clocks .ws-sla-reading")
    assert reading_of(on_page.first) == in_queue[0]
    page.goto(f"{live_server.url}{waiting.get_absolute_url()}")
    assert reading_of(page.locator("#sla-clocks .ws-sla-reading").first) == in_queue[1]
    shoot(page, "paused-ticket-page")
