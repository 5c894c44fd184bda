"""Macros in real Chromium: write a macro, insert and apply it from the reply form.
Screenshots land in test-artifacts/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.conftest import PASSWORD
from tuki.macros import services
from tuki.macros.models import Macro, Scope
from tuki.tickets.models import Comment, Ticket

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


def test_an_operator_writes_a_macro_and_uses_it_on_a_ticket(
    chromium, live_server, desk, incident: Ticket, shoot
) -> None:
    base = live_server.url
    services.create_macro(
        desk.admin,
        name="Ask for a callback number",
        scope=Scope.GLOBAL,
        body="Hello {{requester.first_name}},\n\ncould you tell us a number to call you back "
        "about {{ticket.number}}?\n\n{{agent.name}}",
    )
    page = sign_in(chromium, base, desk.operator.email)
    page.goto(f"{base}/macros/new/")
    page.fill("#id_name", "VPN: take and tag")
    page.fill("#id_body", "Hi {{requester.first_name}}, I am on it: {{ticket.url}}")
    page.select_option("#id_set_priority", "2")
    page.fill("#id_add_tags", "vpn, callback")
    page.select_option("#id_set_status", "in_progress")
    page.fill("#preview-ticket", incident.number)
    page.click("button:has-text('Preview')")
    page.wait_for_selector("#macro-preview .comment-body")
    assert "Hi Maija, I am on it: http" in page.inner_text("#macro-preview")
    shoot(page, "macro-editor")
    page.click("button:has-text('Save macro')")
    page.wait_for_url("**/macros/")
    shoot(page, "macro-list")
    macro = Macro.objects.get(name="VPN: take and tag")
    assert macro.actions[-1] == {"type": "set_status", "status": "in_progress"}

    # Insert a canned response into the reply, edit, send as usual.
    page.goto(f"{base}{incident.get_absolute_url()}")
    page.wait_for_selector("#macro-select")
    page.select_option("#macro-select", label="Ask for a callback number")
    page.click("#macro-picker button:has-text('Insert')")
    page.wait_for_function("() => document.getElementById('id_body').value.includes('Hello Maija')")
    assert f"about {incident.number}?" in page.input_value("#id_body")
    shoot(page, "ticket-macro-inserted")

    # Apply the macro with actions: text posted, fields changed, one step.
    page.fill("#id_body", "")
    page.select_option("#macro-select", str(macro.pk))
    page.click("#macro-picker button:has-text('Apply')")
    page.wait_for_selector("text=applied; reply sent")
    shoot(page, "ticket-macro-applied")
    ticket = Ticket.objects.get(pk=incident.pk)
    assert ticket.status.key == "in_progress" and ticket.priority == 2
    assert Comment.objects.get(ticket=ticket).body.startswith("Hi Maija, I am on it: http")


def test_a_specialist_sees_why_a_reply_macro_is_refused(
    chromium, live_server, desk, escalated: Ticket, shoot
) -> None:
    services.create_macro(desk.admin, name="Thanks", scope=Scope.GLOBAL, body="Thanks!")
    page = sign_in(chromium, live_server.url, desk.specialist.email)
    page.goto(f"{live_server.url}{escalated.get_absolute_url()}")
    page.wait_for_selector("#macro-select")
    page.select_option("#macro-select", label="Thanks")
    page.click("#macro-picker button:has-text('Apply')")
    page.wait_for_selector("#macro-error:has-text('may not write to requesters')")
    shoot(page, "ticket-macro-refused")
    assert not Comment.objects.exists()
