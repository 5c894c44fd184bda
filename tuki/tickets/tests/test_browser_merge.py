"""Merging into another organisation's ticket in real Chromium: refused with the reason next
to the confirmation box, then done once confirmed. Screenshots at 1280 and 390 px."""

from typing import Any

import pytest

from tuki.tickets import services
from tuki.tickets.models import Ticket
from tuki.tickets.tests.test_browser_story import sign_in
from tuki.tickets.tests.test_browser_ticket_page import open_dialog

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_a_merge_across_organisations_asks_for_confirmation(
    chromium: Any, live_server: Any, desk: Any, incident: Ticket, shoot: Any, width: int
) -> None:
    globex = services.create_ticket(desk.operator, title="VPN down too", requester=desk.outsider)
    page = sign_in(chromium, live_server.url, desk.operator.email)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}{globex.get_absolute_url()}")
    page.click("button:has-text('More')")
    merge = open_dialog(page, "merge")
    merge.locator("[name=number]").fill(incident.number)
    merge.locator("button[type=submit]").click()
    merge.locator("text=belongs to another organisation").wait_for()
    shoot(page, f"merge-refused-{width}")
    assert Ticket.objects.get(pk=globex.pk).merged_into_id is None
    merge.locator("[name=confirm_cross_organisation]").check()
    merge.locator("button[type=submit]").click()
    page.wait_for_url(f"**{incident.get_absolute_url()}")
    shoot(page, f"merged-{width}")
    assert Ticket.objects.get(pk=globex.pk).merged_into_id == incident.pk
    assert desk.outsider not in incident.watchers.all()
