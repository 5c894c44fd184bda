"""The ticket page's action dialogs in real Chromium: each opens with its form, ready to use.

Screenshots of the page and of each dialog land in test-artifacts/screenshots/.
"""

from typing import Any

import pytest

from tuki.tickets.models import Ticket
from tuki.tickets.tests.test_browser_story import sign_in

pytestmark = pytest.mark.browser


def open_dialog(page: Any, name: str) -> Any:
    page.click(f"button[data-bs-target='#action-{name}']")
    dialog = page.locator(f"#action-{name}")
    dialog.locator(f"#action-form-{name} button[type=submit]").wait_for(state="visible")
    return dialog


def close_dialog(page: Any, name: str) -> None:
    page.locator(f"#action-{name} [data-bs-dismiss=modal]").first.click()
    page.locator(f"#action-{name}").wait_for(state="hidden")


def test_the_action_dialogs_open_with_their_forms(chromium, live_server, desk, escalated, shoot):
    page = sign_in(chromium, live_server.url, desk.operator.email)
    page.goto(f"{live_server.url}{escalated.get_absolute_url()}")
    shoot(page, "ticket-page")

    assign = open_dialog(page, "assign")
    # Choosing a group shows only its members.
    assign.locator("#id_assign_group").select_option(str(desk.network_hel.pk))
    visible = assign.locator("#id_assign_assignee optgroup:not([hidden])")
    assert visible.count() == 1 and visible.get_attribute("label") == desk.network_hel.name
    shoot(page, "assign-dialog")
    close_dialog(page, "assign")

    escalate = open_dialog(page, "escalate")
    assert escalate.locator("#id_escalate_mode_0").is_checked()
    shoot(page, "escalate-dialog")
    close_dialog(page, "escalate")

    status = open_dialog(page, "set_status")
    shoot(page, "status-dialog")
    close_dialog(page, "set_status")
    assert status.locator("#id_set_status_status option").count() >= 1

    page.click("button:has-text('More')")
    link = open_dialog(page, "link")
    link.locator("#id_link_number").fill("INC-999999")
    link.locator("button[type=submit]").click()
    link.locator(".invalid-feedback").wait_for()  # the error comes back into the dialog
    shoot(page, "link-dialog-error")
    close_dialog(page, "link")

    resolve = open_dialog(page, "resolve")
    resolve.locator("[name=code]").select_option("solved")
    resolve.locator("[name=resolution]").fill("Restarted the VPN concentrator.")
    shoot(page, "resolve-dialog")
    resolve.locator("button[type=submit]").click()
    page.wait_for_selector(".badge.status-resolved")
    assert Ticket.objects.get(pk=escalated.pk).status.category == "resolved"

    # Opened without the pointer near its button (a shortcut, say), a dialog fetches its form
    # as it shows.
    page.mouse.move(0, 0)
    page.evaluate(
        "bootstrap.Modal.getOrCreateInstance(document.getElementById('action-reopen')).show()"
    )
    reopen = page.locator("#action-reopen")
    reopen.locator("#action-form-reopen [name=reason]").wait_for(state="visible")
    shoot(page, "reopen-dialog")
