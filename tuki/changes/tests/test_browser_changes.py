"""A change in real Chromium under the strict CSP: the ticket page loads the change section,
the specialist asks the CAB, the lead approves on the approval page, and the change shows
"Scheduled" with its approval approved. Screenshot: docs/screenshots/changes-panel.png."""

from __future__ import annotations

from pathlib import Path

import pytest

from tuki.changes.tests.conftest import approve
from tuki.tickets.models import Ticket
from tuki.tickets.tests.test_browser_layout import DESKTOP, signed_in

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def test_a_change_is_approved_by_the_cab_and_scheduled(chromium, live_server, desk, board):
    change = board.change
    page = signed_in(chromium, live_server.url, desk.specialist.email, DESKTOP)
    page.goto(live_server.url + change.ticket.get_absolute_url())
    page.wait_for_selector("#change-panel")
    assert "Boot the previous image." in page.inner_text("#change-panel")
    page.click("#request-cab")
    page.wait_for_selector("#change-approval")
    assert "Pending" in page.inner_text("#change-approval")
    assert Ticket.objects.get(pk=change.pk).status.key == "awaiting_approval"
    approve(change, desk.lead)
    page.reload()
    page.wait_for_selector("#change-approval")
    assert "Approved" in page.inner_text("#change-approval")
    assert Ticket.objects.get(pk=change.pk).status.key == "scheduled"
    page.goto(f"{live_server.url}/changes/")
    assert change.ticket.number in page.inner_text("#change-list")
    page.goto(live_server.url + change.ticket.get_absolute_url())
    page.wait_for_selector("#change-panel")
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / "changes-panel.png"), full_page=True)
    assert page.errors == []
