"""The rule editor with custom fields, in real Chromium at desktop and phone widths: the
field's condition and the "set a custom field" action, then a change of field redrawing
the value's picker. Screenshots land in test-artifacts/screenshots/."""

from typing import Any

import pytest

from tuki.automation.models import Rule
from tuki.automation.tests.test_browser_rules import redrawn
from tuki.automation.tests.test_engine import make_rule
from tuki.conftest import PASSWORD
from tuki.tickets.models import CustomField

pytestmark = pytest.mark.browser

DISK = [{"value": "ssd", "label": "SSD"}, {"value": "hdd", "label": "Hard disk"}]


def sign_in(browser: Any, base: str, email: str, width: int) -> Any:
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


@pytest.mark.parametrize("width", [1280, 390])
def test_the_editor_offers_custom_fields(chromium, live_server, desk, shoot, width):
    CustomField.objects.create(key="disk", label="Disk", type="choice", choices=DISK)
    CustomField.objects.create(key="vip", label="VIP", type="checkbox")
    rule = make_rule(
        desk,
        name="Fast disks",
        conditions={
            "match": "all",
            "items": [{"field": "custom.disk", "op": "in", "value": ["ssd"]}],
        },
        actions=[{"type": "set_custom_field", "field": "disk", "value": "hdd"}],
    )
    page = sign_in(chromium, live_server.url, desk.admin.email, width)
    page.goto(f"{live_server.url}/automation/{rule.pk}/")
    assert page.locator("#node-0-field").input_value() == "custom.disk"
    assert page.locator("#action-0-value").input_value() == "hdd"
    shoot(page, f"editor-{width}")
    redrawn(page, lambda: page.select_option("#action-0-field", "vip"))
    assert page.locator("#action-0-value option[value=true]").count() == 1
    page.select_option("#action-0-value", "true")
    shoot(page, f"editor-vip-{width}")
    page.click("button[type=submit]:has-text('Save')")
    page.wait_for_url("**/automation/")
    assert Rule.objects.get().actions == [
        {"type": "set_custom_field", "field": "vip", "value": True}
    ]
