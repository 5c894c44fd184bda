"""Approvals in real Chromium: an operator asks for approval from the ticket page, a line
manager who is no agent approves through the link in the mail (signed out), the lead decides
from My approvals, and the request moves on. Screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tuki.approvals import services
from tuki.approvals.models import Approval, State
from tuki.mail.models import OutboundMessage
from tuki.tickets.models import Ticket
from tuki.tickets.tests.test_browser_story import sign_in

pytestmark = pytest.mark.browser


def test_an_approval_from_the_ticket_page_through_the_mail_link_and_my_approvals(
    chromium: Any, live_server: Any, desk: Any, hw_request: Ticket, managers: list, shoot: Any
) -> None:
    base = live_server.url
    services.create_template(
        desk.admin,
        name="New hardware",
        kinds=["request"],
        steps=[
            {"rule": "any", "users": [managers[0].pk]},
            {"rule": "majority", "users": [desk.lead.pk, managers[1].pk, managers[2].pk]},
        ],
    )

    # 1. The operator asks for approval on the ticket page.
    operator = sign_in(chromium, base, desk.operator.email)
    operator.goto(f"{base}/desk/tickets/{hw_request.number}/")
    operator.select_option("#approval-template", label="New hardware")
    operator.click("#approval-request-form button[type=submit]")
    operator.wait_for_selector("#approvals-panel .ws-approval")
    shoot(operator, "panel-waiting")
    assert Ticket.objects.get(pk=hw_request.pk).status.key == "awaiting_approval"

    # 2. Boss 1 (no agent, signed out) opens the link from the mail and approves.
    raw = OutboundMessage.objects.get(what="approval", to_address="boss1@acme.fi").raw.decode()
    path = re.search(r"http://127\.0\.0\.1:8000(/approvals/link/\S+/)", raw)[1]
    boss = chromium.new_context(viewport={"width": 1366, "height": 900}).new_page()
    boss.goto(base + path)
    shoot(boss, "confirm-page")
    boss.fill("#id_comment", "Five years is long enough.")
    boss.click("button[value=approve]")
    boss.wait_for_selector("#approval-decided")
    shoot(boss, "confirm-page-decided")

    # 3. The lead decides from My approvals (step 2: majority of three).
    lead = sign_in(chromium, base, desk.lead.email)
    lead.goto(f"{base}/approvals/")
    shoot(lead, "my-approvals")
    lead.click("#approvals-waiting a")
    lead.click("button[value=approve]")
    lead.wait_for_url("**/approvals/")
    services.decide(managers[1], Approval.objects.get().steps.get(position=2), "approve", "OK")
    assert Approval.objects.get().state == State.APPROVED

    operator.goto(f"{base}/desk/tickets/{hw_request.number}/")
    shoot(operator, "panel-approved")
    assert Ticket.objects.get(pk=hw_request.pk).status.key == "assigned"


def test_staff_build_an_approval_template_in_the_pages(
    chromium: Any, live_server: Any, desk: Any, managers: list, shoot: Any
) -> None:
    from tuki.approvals.models import ApprovalTemplate

    admin = sign_in(chromium, live_server.url, desk.admin.email)
    admin.goto(f"{live_server.url}/approvals/templates/")
    admin.click("text=New template")
    admin.fill("#id_name", "New hardware")
    admin.check("input[name=kinds][value=request]")
    admin.select_option("#id_steps-0-users", label="Boss 1")
    admin.select_option("#id_steps-1-rule", value="majority")
    admin.select_option("#id_steps-1-group", label="Network Helsinki")
    shoot(admin, "template-edit")
    admin.click("#template-form button[type=submit]")
    admin.wait_for_url("**/approvals/templates/")
    shoot(admin, "template-list")
    template = ApprovalTemplate.objects.get()
    assert template.steps[1] == {"rule": "majority", "users": [], "group": desk.network_hel.pk}
