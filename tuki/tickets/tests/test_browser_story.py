"""The foundation story in real Chromium: operator, specialist and requester, end to end.

A first-line operator takes a phone call, finds the caller, registers an incident and
escalates it to Network Helsinki. The specialist takes it, works through an internal note and
resolves it. The service desk, which still owns it, asks the requester to confirm; the
requester reads the public conversation in the portal, answers, and the ticket closes.
Screenshots of every page land in test-artifacts/screenshots/.
"""

from typing import Any

import pytest

from tuki.conftest import PASSWORD
from tuki.tickets.models import Ticket, TicketEvent

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


def test_the_incident_lifecycle_from_phone_call_to_confirmed_closure(
    chromium, live_server, desk, shoot
):
    base = live_server.url

    # 1. The operator takes the call and finds the caller by phone number.
    operator = sign_in(chromium, base, desk.operator.email)
    shoot(operator, "operator-dashboard")
    operator.click("text=Log a call")
    operator.wait_for_url("**/desk/call/")
    operator.fill("#id_caller", "555 1234")
    operator.locator("#caller-results [role=option]").first.click()
    operator.wait_for_selector("#caller-box [name=requester]", state="attached")
    operator.select_option("#id_category", label="Network › VPN")
    operator.fill("#id_title", "VPN drops every few minutes")
    operator.fill("#id_description", "Caller says the VPN disconnects since this morning.")
    operator.click("label[for=outcome-escalate]")
    operator.wait_for_selector("#route-group select[name=group]")
    operator.select_option("#route-group select[name=group]", label="Network Helsinki")
    shoot(operator, "operator-log-call")
    operator.click("text=Register the call")
    operator.wait_for_url("**/desk/tickets/INC-*/")
    shoot(operator, "operator-ticket-escalated")

    ticket = Ticket.objects.get()
    assert ticket.requester == desk.requester
    assert ticket.channel == "phone"
    assert (ticket.owner_group, ticket.group) == (desk.service_desk, desk.network_hel)

    # 2. The specialist picks it up, notes her work (no public replies allowed), resolves.
    specialist = sign_in(chromium, base, desk.specialist.email)
    shoot(specialist, "specialist-dashboard")
    specialist.goto(f"{base}/desk/tickets/?group={desk.network_hel.pk}")
    shoot(specialist, "specialist-queue")
    specialist.click(f"text={ticket.number}")
    specialist.wait_for_url(f"**/desk/tickets/{ticket.number}/")
    assert specialist.locator("#vis-public").is_disabled()
    specialist.click("button:has-text('Take')")
    specialist.wait_for_load_state()
    specialist.fill("#id_body", "Concentrator logs show MTU renegotiation; fixed the tunnel MTU.")
    specialist.click("button.ws-send")
    specialist.wait_for_selector("text=Concentrator logs show MTU renegotiation")
    specialist.click("button[data-bs-target='#action-resolve']")
    resolve = specialist.locator("#action-form-resolve")
    resolve.locator("[name=code]").select_option("solved")
    resolve.locator("[name=resolution]").fill("Tunnel MTU lowered to 1400 on the concentrator.")
    shoot(specialist, "specialist-resolve-dialog")
    resolve.locator("button[type=submit]").click()
    specialist.wait_for_selector(".badge.status-resolved")
    shoot(specialist, "specialist-resolved")

    # 3. The service desk still owns it and confirms with the user.
    operator.goto(f"{base}/desk/tickets/{ticket.number}/")
    operator.click("label[for=vis-public]")
    operator.fill("#id_body", "We changed a network setting. Does the VPN stay up now?")
    operator.click("button.ws-send")
    operator.wait_for_selector("text=Does the VPN stay up now?")
    shoot(operator, "operator-asks-to-confirm")

    # 4. The requester reads the public conversation in the portal, answers, and it closes.
    requester = sign_in(chromium, base, desk.requester.email)
    shoot(requester, "requester-my-requests")
    requester.click(f"text={ticket.title}")
    requester.wait_for_url(f"**/portal/tickets/{ticket.number}/")
    content = requester.content()
    assert "Does the VPN stay up now?" in content
    assert "Tunnel MTU lowered" in content  # the resolution is public
    assert "Concentrator logs" not in content  # the internal note is not
    shoot(requester, "requester-resolved-request")
    requester.fill("#confirm textarea", "Yes, it has been stable all afternoon. Thanks!")
    requester.click("#confirm button:has-text('Yes')")
    requester.wait_for_selector(".badge.status-closed")
    shoot(requester, "requester-closed")

    # 5. Every step is in the ticket's history.
    ticket.refresh_from_db()
    assert ticket.status.key == "closed" and ticket.closed_at and ticket.first_response_at
    steps = list(TicketEvent.objects.filter(ticket=ticket).values_list("action", "actor__email"))
    for expected in [
        ("created", desk.operator.email),
        ("escalated", desk.operator.email),
        ("assigned", desk.specialist.email),
        ("note", desk.specialist.email),
        ("resolution", desk.specialist.email),
        ("reply", desk.operator.email),
        ("reply", desk.requester.email),
        ("status", desk.requester.email),
    ]:
        assert expected in steps, f"{expected} missing from {steps}"
