"""The audit page in real Chromium at desktop and phone widths: an administrator finds who
changed a routing rule, and filters down to it. Screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import pytest

from tuki.routing import services as routing
from tuki.tickets.tests.test_browser_layout import PHONE, signed_in
from tuki.webhooks import services as webhooks

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}


def changes(desk):
    rule = routing.create_rule(desk.admin, name="VPN from Bucharest", group=desk.network_hel)
    routing.update_rule(desk.admin, rule, group=desk.network_buc, kind="incident")
    routing.update_rule(desk.admin, rule, name="VPN (all offices)", is_active=False)
    hook = webhooks.create_webhook(desk.admin, name="CMDB", url="https://cmdb.example/hook")
    webhooks.rotate_secret(desk.admin, hook)
    desk.network_hel.members.add(desk.other_agent)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_administrator_reads_and_filters_the_audit_trail(
    chromium, live_server, desk, shoot, viewport
):
    changes(desk)
    page = signed_in(chromium, live_server.url, desk.admin.email, viewport)
    page.goto(f"{live_server.url}/audit/")
    page.wait_for_selector("#audit-entries")
    shoot(page, f"audit-{viewport['width']}")
    page.screenshot(path=str(shoot.folder / f"audit-{viewport['width']}-top.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.select_option("#id_type", "routing.routingrule")
    page.click("#audit-filters button[type=submit]")
    page.wait_for_url("**type=routing.routingrule**")
    assert page.locator("#audit-entries > li").count() == 3
    assert page.get_by_text("Network Bucharest").first.is_visible()
    shoot(page, f"audit-routing-{viewport['width']}")
    page.screenshot(path=str(shoot.folder / f"audit-routing-{viewport['width']}-top.png"))
    page.locator("#audit-entries a", has_text="History").first.click()
    page.wait_for_url("**object=**")
    assert page.locator("#audit-entries > li").count() == 3
    assert page.errors == []
