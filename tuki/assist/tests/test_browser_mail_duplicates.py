"""A mail's ticket in real Chromium: its page offers the requester's open ticket that says the
same thing and the live outage, each with its one-step action; the operator makes the mail
part of the outage. Screenshots at desktop and phone sizes in test-artifacts/screenshots/."""

from __future__ import annotations

import pytest

from tuki.assist.tests.test_intake import _open, _outage
from tuki.conftest import Desk
from tuki.tickets.models import Channel, LinkType, TicketLink
from tuki.tickets.tests.test_browser_layout import DESKTOP, PHONE, signed_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_mail_joins_the_outage_from_its_possible_duplicates(
    chromium, live_server, desk: Desk, shoot, viewport
):
    width = viewport["width"]
    outage = _outage(desk)
    own = _open(desk, "Cannot reach the VPN from home", requester=desk.requester)
    mail = _open(desk, "Cannot reach the VPN", requester=desk.requester, channel=Channel.EMAIL)
    page = signed_in(chromium, live_server.url, desk.operator.email, viewport)
    page.goto(f"{live_server.url}{mail.get_absolute_url()}")
    section = page.locator("#duplicates-section")
    section.locator(".list-group-item").first.wait_for()  # loaded in place of "Loading…"
    assert own.number in section.inner_text() and outage.number in section.inner_text()
    assert section.locator(".duplicate-merge button").count() == 1
    section.scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, f"duplicates-{width}")

    section.locator(".duplicate-outage button").click()
    page.wait_for_selector(".alert-success")
    assert "is now part of the outage" in page.inner_text(".alert-success")
    assert TicketLink.objects.filter(source=outage, target=mail, type=LinkType.PARENT_OF).exists()
    shoot(page, f"joined-{width}")
    assert page.errors == []
