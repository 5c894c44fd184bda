"""Notifications in real Chromium: the bell, its dropdown, the list, preferences, a mention.

Screenshots land in test-artifacts/screenshots/.
"""

from typing import Any

import pytest

from tuki.conftest import PASSWORD
from tuki.notifications.models import Notification
from tuki.tickets import services

pytestmark = pytest.mark.browser


def sign_in(browser: Any, base: str, email: str) -> Any:
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def test_an_agent_follows_the_bell_to_a_mention_and_tunes_preferences(
    chromium, live_server, desk, shoot
):
    base = live_server.url
    # Work reaches Network Helsinki; the lead mentions the specialist in a note.
    first = services.create_ticket(
        desk.operator, title="VPN drops every few minutes", requester=desk.requester
    )
    services.escalate_ticket(desk.operator, first, group=desk.network_hel)
    second = services.create_ticket(
        desk.operator,
        title="Switch in the 3rd floor closet is down",
        requester=desk.colleague,
        group=desk.network_hel,
    )
    services.add_comment(
        desk.lead, first, "@specialist could you check the MTU on the concentrator?", internal=True
    )
    # Two tickets came to her group, and one mention.
    assert Notification.objects.filter(recipient=desk.specialist).count() == 3

    page = sign_in(chromium, base, desk.specialist.email)
    bell = page.locator("#notification-bell")
    assert bell.locator(".notification-count").inner_text() == "3"
    shoot(page, "header-bell")

    bell.locator("a.nav-link").click()
    page.wait_for_selector("#notification-menu .dropdown-item:has-text('mentioned you')")
    shoot(page, "bell-dropdown")

    page.goto(f"{base}/notifications/")
    assert page.locator(".notification-unread").count() == 3
    shoot(page, "notification-list")

    # Mark the group ticket read in place: the row and the bell update without a reload.
    row = page.locator(".notification", has_text=second.number)
    row.locator("button[title='Mark read']").click()
    page.wait_for_function(
        "() => document.querySelector('#notification-bell .notification-count')?.innerText === '2'"
    )
    assert page.locator(".notification-unread").count() == 2
    shoot(page, "notification-list-one-read")

    # The mention leads to the note, the mention highlighted.
    page.locator(".notification", has_text="mentioned you").locator("a").first.click()
    page.wait_for_url(f"**/desk/tickets/{first.number}/**")
    assert page.locator("mark.mention").first.inner_text() == "@specialist"
    assert page.locator("#notification-bell .notification-count").inner_text() == "1"
    page.click("#watch-ticket button")
    page.wait_for_selector("#watch-ticket button:has-text('Stop watching')")
    assert first.watchers.filter(pk=desk.specialist.pk).exists()
    shoot(page, "ticket-mention-and-watch")

    page.goto(f"{base}/notifications/preferences/")
    shoot(page, "preferences")
    page.check("#id_group_ticket__email")
    page.uncheck("#id_watched_ticket_changed__in_app")
    page.click("button:has-text('Save')")
    page.wait_for_selector(".alert-success")
    shoot(page, "preferences-saved")
    from tuki.notifications.services import preferences_of

    prefs = preferences_of(desk.specialist)
    assert prefs["group_ticket"] == (True, True)
    assert prefs["watched_ticket_changed"] == (False, False)
