"""The portal's service levels in real Chromium at a desktop's and a phone's width: the
organisation's contact reaches it from the navigation, the table fits, no console error."""

from __future__ import annotations

import pytest
import time_machine

from tuki.portal.tests.test_service_levels import THIS_MONTH, raise_tickets
from tuki.tickets.tests.test_browser_layout import DESKTOP, PHONE, signed_in

pytestmark = pytest.mark.browser


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_client_contact_reads_their_service_levels(chromium, live_server, desk, committed, shoot):
    desk.colleague.sees_organisation_tickets = True
    desk.colleague.save()
    raise_tickets(desk, committed, desk.requester, 2, THIS_MONTH)
    with time_machine.travel(THIS_MONTH, tick=True):
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page = signed_in(chromium, live_server.url, desk.colleague.email, viewport)
            page.goto(f"{live_server.url}/portal/")
            if name == "phone":
                page.click(".navbar-toggler")
            page.click("#nav-service-levels")
            page.wait_for_selector("#service-levels")
            assert "Acme Oy" in page.inner_text("main")
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            shoot(page, f"service-levels-{name}")
            assert page.errors == []
