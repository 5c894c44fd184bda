"""A breakdown by a custom field in real Chromium, in Finnish, at desktop and phone widths:
the choice labels and the statuses of the tickets behind a row in the reader's language."""

from __future__ import annotations

import pytest

from tuki.reports.tests.pages import build_world
from tuki.reports.tests.test_browser_reports import DESKTOP, _days, _no_capture
from tuki.tickets import services
from tuki.tickets.models import CustomField, Status
from tuki.tickets.tests.test_browser_layout import PHONE, signed_in

pytestmark = pytest.mark.browser

DISK = [
    {"value": "ssd", "label": "SSD", "labels": {"fi": "SSD-levy"}},
    {"value": "hdd", "label": "Hard disk", "labels": {"fi": "Kiintolevy"}},
]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_breakdown_by_a_custom_field(chromium, live_server, desk, shoot, viewport):
    world = build_world(desk, _no_capture)  # the manager reads Finnish
    CustomField.objects.create(
        key="disk", label="Disk", labels={"fi": "Levy"}, type="choice", choices=DISK
    )
    Status.objects.filter(key="new").update(names={"fi": "Vastaanotettu"})
    for ticket, value in zip(world.tickets, ["ssd", "ssd", "hdd"], strict=False):
        services.update_ticket(desk.operator, ticket, custom={"disk": value})
    width = viewport["width"]
    page = signed_in(chromium, live_server.url, world.manager.email, viewport)
    page.goto(f"{live_server.url}/reports/volume/?{_days()}&by=custom.disk")
    page.wait_for_selector("#breakdown-table")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    table = page.locator("#breakdown-table").inner_text()
    assert "SSD-levy" in table and "Kiintolevy" in table
    shoot(page, f"custom-breakdown-{width}")
    row = page.locator("#breakdown-table tbody tr", has_text="SSD-levy").locator("a.report-number")
    row.click()
    page.wait_for_selector("#drill-tickets")
    assert page.locator("#drill-tickets tbody tr").count() == 2
    shoot(page, f"custom-tickets-{width}")
    assert page.errors == []
