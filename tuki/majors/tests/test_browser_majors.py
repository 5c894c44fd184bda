"""A major incident in real Chromium, at a desktop's and a phone's width: a manager declares
it from the ticket page's section, attaches a similar incident, posts a public update, and
the requesters' status page shows it; no console error under the strict CSP."""

from __future__ import annotations

import pytest

from tuki.majors.models import Communication, MajorIncident, State
from tuki.majors.tests.conftest import make_incident
from tuki.tickets.models import LinkType, TicketLink
from tuki.tickets.tests.test_browser_layout import DESKTOP, PHONE, signed_in

pytestmark = pytest.mark.browser


def test_a_manager_declares_and_posts_an_update(chromium, live_server, desk, escalated, shoot):
    child = make_incident(desk, desk.colleague, "Cannot reach the VPN")
    from tuki.tickets import services as tickets

    tickets.escalate_ticket(desk.operator, child, group=desk.network_hel)
    page = signed_in(chromium, live_server.url, desk.lead.email, DESKTOP)
    page.goto(f"{live_server.url}{escalated.get_absolute_url()}")
    page.wait_for_selector("#major-declare button")
    shoot(page, "ticket-section")
    page.click("#major-declare button")
    page.wait_for_selector("#major-state[data-state=declared]")
    assert MajorIncident.objects.get(pk=escalated.pk).state == State.DECLARED

    # The similar incident is offered; attach it.
    page.check(f"#similar-{child.pk}")
    page.click("#similar-form button[type=submit]")
    page.wait_for_selector(f"#children >> text={child.number}")
    assert TicketLink.objects.filter(
        source=escalated, target=child, type=LinkType.PARENT_OF
    ).exists()

    page.fill("#update-body", "The VPN concentrator is being replaced.")
    page.select_option("#update-kind", "public")
    page.click("#update-submit")
    page.wait_for_selector("#communications >> text=The VPN concentrator is being replaced.")
    assert Communication.objects.get().reached == 1
    shoot(page, "major-page")
    assert page.errors == []

    # At a phone's width the page fits.
    phone = signed_in(chromium, live_server.url, desk.lead.email, PHONE)
    phone.goto(f"{live_server.url}/majors/{escalated.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(phone, "major-page-phone")
    assert phone.errors == []

    # The requester's status page shows the public update.
    requester = signed_in(chromium, live_server.url, desk.requester.email, DESKTOP)
    requester.goto(f"{live_server.url}/portal/status/")
    requester.wait_for_selector(".status-major >> text=The VPN concentrator is being replaced.")
    shoot(requester, "status-page")
    assert requester.errors == []
