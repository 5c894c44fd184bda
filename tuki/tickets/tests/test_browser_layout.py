"""What a newcomer meets first in the agent pages, in real Chromium: at a phone's width
(390x844) the dashboard's ticket titles stay readable and the ticket page starts with the
ticket, not its side panels; no page logs a console error.

Screenshots land in test-artifacts/screenshots/.
"""

from typing import Any

import pytest

from tuki.conftest import PASSWORD
from tuki.tickets import services
from tuki.tickets.tests.test_browser_ticket_page import close_dialog, open_dialog

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def signed_in(browser: Any, base: str, email: str, viewport: dict[str, int]) -> Any:
    """A page signed in as `email` that records the console's errors in `page.errors`."""
    page = browser.new_context(viewport=viewport).new_page()
    page.set_default_timeout(15_000)
    page.errors = []
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(f"{base}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def box(page: Any, selector: str) -> dict[str, float]:
    return page.locator(selector).first.bounding_box()


def test_dashboard_titles_are_readable_at_phone_width(chromium, live_server, desk, shoot):
    for title in ("Printer on the third floor prints blank pages", "VPN drops every few minutes"):
        services.create_ticket(desk.operator, title=title, requester=desk.requester)
    page = signed_in(chromium, live_server.url, desk.operator.email, PHONE)
    page.goto(f"{live_server.url}/desk/")
    page.wait_for_load_state("networkidle")
    shoot(page, "dashboard-phone")

    titles = page.locator(".ws-ticket-list li a[title]")  # each ticket's title
    assert titles.count() >= 2
    for i in range(titles.count()):
        # Each title has a line of its own: most of the card's width, its words all there.
        assert titles.nth(i).bounding_box()["width"] > 250
        assert titles.nth(i).evaluate("el => el.scrollWidth <= el.clientWidth")
    # Nothing sticks out of the screen sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.errors == []


def test_the_ticket_page_starts_with_the_ticket_at_phone_width(
    chromium, live_server, desk, escalated, shoot
):
    url = f"{live_server.url}{escalated.get_absolute_url()}"
    phone = signed_in(chromium, live_server.url, desk.operator.email, PHONE)
    phone.goto(url)
    shoot(phone, "ticket-phone")
    # Description, reply box and timeline first; the side panels after them.
    side = box(phone, "#ticket-fields")
    assert box(phone, "#composer")["y"] < side["y"]
    assert box(phone, "#timeline")["y"] < side["y"]

    # A desktop keeps its two columns: the panels beside the ticket, at the top.
    desktop = signed_in(chromium, live_server.url, desk.operator.email, DESKTOP)
    desktop.goto(url)
    shoot(desktop, "ticket-desktop")
    side = box(desktop, "#ticket-fields")
    assert side["x"] > box(desktop, "#composer")["x"] + box(desktop, "#composer")["width"] - 1
    assert side["y"] < box(desktop, "#timeline")["y"]


def test_the_ticket_page_and_its_dialogs_log_no_console_error(
    chromium, live_server, desk, escalated
):
    page = signed_in(chromium, live_server.url, desk.operator.email, DESKTOP)
    page.goto(f"{live_server.url}{escalated.get_absolute_url()}")
    page.wait_for_load_state("networkidle")
    for name in ("assign", "escalate", "set_status", "resolve"):
        open_dialog(page, name)
        page.wait_for_load_state("networkidle")
        close_dialog(page, name)
    # The composer sends a note (its htmx request disables the Send button meanwhile).
    page.click("label[for=vis-internal]")
    page.fill("#id_body", "Checked the concentrator's logs.")
    page.click("#composer button[type=submit]")
    page.locator("#timeline", has_text="Checked the concentrator's logs.").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.errors == []


def test_the_queue_fits_a_phone_and_keeps_every_column_on_a_desktop(
    chromium, live_server, desk, shoot
):
    for title in ("Printer on the third floor prints blank pages", "VPN drops every few minutes"):
        services.create_ticket(desk.operator, title=title, requester=desk.requester)
    phone = signed_in(chromium, live_server.url, desk.operator.email, PHONE)
    phone.goto(f"{live_server.url}/desk/tickets/")
    phone.wait_for_load_state("networkidle")
    shoot(phone, "queue-phone")
    table = phone.locator(".ws-queue").first
    # Two lines a row: number, priority, status and SLA, then the title; no sideways scroll.
    assert table.evaluate("el => el.parentElement.scrollWidth <= el.parentElement.clientWidth")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    row = phone.locator(".ws-queue tbody tr").first
    assert row.locator(".ticket-number").is_visible() and row.locator(".ws-title a").is_visible()
    number, title = row.locator(".ticket-number"), row.locator(".ws-title a")
    assert number.bounding_box()["y"] < title.bounding_box()["y"]
    assert phone.errors == []

    desktop = signed_in(chromium, live_server.url, desk.operator.email, DESKTOP)
    desktop.goto(f"{live_server.url}/desk/tickets/")
    headers = desktop.locator(".ws-queue thead th")
    assert all(headers.nth(i).is_visible() for i in range(headers.count()))
    assert headers.count() == 10


def test_a_mailed_reply_fits_the_phone_width(chromium, live_server, desk, shoot):
    """A reply that came by mail carries its badges in the card's header (via email, the
    email link, whether its sender is proven, when): at a phone's width they wrap onto a
    second line instead of pushing the page sideways."""
    from tuki.mail.models import Mailbox
    from tuki.mail.services import ingest_message
    from tuki.mail.tests.mails import TRUSTED_SERVER, mail

    mailbox = Mailbox.objects.create(
        name="support", address="support@tuki.test", trusted_authserv_ids=TRUSTED_SERVER
    )
    ticket = services.create_ticket(
        desk.operator, title="Printer jams on every second page", requester=desk.requester
    )
    ingest_message(
        mail(
            "Still jamming, photo attached.\n",
            subject=f"Re: [{ticket.number}] Printer jams on every second page",
            message_id="jam@acme.fi",
            proven=True,
        ),
        mailbox,
    )
    page = signed_in(chromium, live_server.url, desk.operator.email, PHONE)
    page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    page.wait_for_load_state("networkidle")
    shoot(page, "mailed-reply-phone")
    assert page.locator("#timeline .bi-envelope-open").count() >= 1  # the mail's own badge
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.errors == []
