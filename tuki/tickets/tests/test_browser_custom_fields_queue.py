"""An agent filters the queue by custom fields and shows some as columns.

Screenshots land in test-artifacts/screenshots/; the final ones are kept in docs/screenshots/
(custom-fields-queue.png at 1280 wide, custom-fields-queue-mobile.png at 390)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tuki.tickets import services
from tuki.tickets.models import CustomField
from tuki.tickets.tests.test_browser_story import sign_in
from tuki.tickets.tests.test_views_queue import make_tickets

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
DISK = [{"value": "ssd", "label": "SSD"}, {"value": "hdd", "label": "Hard disk"}]


def keep(page: Any, name: str) -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    for width, height, suffix in ((1280, 900, ""), (390, 844, "-mobile")):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(DOCS / f"{name}{suffix}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_agent_filters_by_custom_fields_and_adds_columns(chromium, live_server, desk, shoot):
    CustomField.objects.create(key="disk", label="Disk", type="choice", choices=DISK, position=1)
    CustomField.objects.create(key="cost", label="Cost", type="number", position=2)
    CustomField.objects.create(key="asset_tag", label="Asset tag", type="text", position=3)
    CustomField.objects.create(key="contact", label="Contact", type="user", position=4)
    for n, ticket in enumerate(make_tickets(desk, 4)):
        services.update_ticket(
            desk.operator,
            ticket,
            custom={
                "disk": "ssd" if n % 2 else "hdd",
                "cost": 100 * (n + 1),
                "asset_tag": f"AT-{1000 + n}",
                "contact": desk.specialist.pk,
            },
        )
    base = live_server.url
    agent = sign_in(chromium, base, desk.operator.email)
    agent.goto(f"{base}/desk/tickets/")
    agent.click("details.ws-custom-filters summary")
    with agent.expect_response(lambda r: "cf_disk=ssd" in r.url):
        agent.select_option("#id_cf_disk", "ssd")
    with agent.expect_response(lambda r: "cols=disk" in r.url):
        agent.check("input[name=cols][value=disk]")
    with agent.expect_response(lambda r: "cols=cost" in r.url):
        agent.check("input[name=cols][value=cost]")
    with agent.expect_response(lambda r: "cols=contact" in r.url):
        agent.check("input[name=cols][value=contact]")
    agent.locator("#queue-results th:has-text('Contact')").wait_for()
    assert agent.locator("#queue-results tbody tr").count() == 2
    assert agent.locator("#queue-results td.ws-cf:has-text('SSD')").count() == 2
    # Reloading the address keeps the filters and columns (hx-push-url).
    agent.reload()
    assert agent.locator("#queue-results tbody tr").count() == 2
    assert agent.locator("details.ws-custom-filters[open]").count() == 1
    shoot(agent, "queue-custom")
    # A bad number is an error of its field, not an error page.
    agent.fill("#id_cf_cost__min", "lots")
    agent.press("#id_cf_cost__min", "Enter")
    agent.locator("#queue-results .alert-warning").wait_for()
    shoot(agent, "queue-custom-error")
    agent.goto(
        f"{base}/desk/tickets/?cf_disk=ssd&cf_cost__min=300&cols=disk&cols=cost&cols=contact"
    )
    assert agent.locator("#queue-results tbody tr").count() == 1
    agent.goto(f"{base}/desk/tickets/?cf_disk=ssd&cols=disk&cols=cost&cols=contact&cols=asset_tag")
    keep(agent, "custom-fields-queue")
