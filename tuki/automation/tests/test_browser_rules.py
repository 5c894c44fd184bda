"""An administrator builds a rule in the rule pages, in real Chromium, and it acts on the next
incident: "when an incident is created with VPN in its title, assign Network Helsinki and tag
it vpn". Screenshots land in test-artifacts/screenshots/."""

from typing import Any

import pytest

from tuki.automation.models import Rule
from tuki.conftest import PASSWORD
from tuki.tickets.models import Ticket

pytestmark = pytest.mark.browser

RULE = "VPN incidents to Network Helsinki"


def sign_in(browser: Any, base: str, email: str) -> Any:
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def redrawn(page: Any, action: Any) -> None:
    """Do something that makes htmx redraw the builder, and wait until the new rows settle."""
    page.evaluate(
        "window.tukiSettled = false; document.body.addEventListener('htmx:afterSettle',"
        " () => { window.tukiSettled = true; }, {once: true})"
    )
    action()
    page.wait_for_function("() => window.tukiSettled === true")


def build_the_rule(admin: Any, base: str, shoot: Any, desk: Any) -> None:
    admin.goto(f"{base}/desk/")
    admin.click("#manage-menu >> xpath=.. >> a.dropdown-toggle")
    admin.click("#manage-menu >> text=Automation rules")
    admin.wait_for_url("**/automation/")
    shoot(admin, "rule-list-empty")
    admin.click("text=New rule")
    admin.wait_for_url("**/automation/new/")
    admin.fill("#id_name", RULE)
    admin.fill("#id_description", "Network Helsinki handles every VPN incident.")
    redrawn(admin, lambda: admin.check("#kind-incident"))
    assert admin.is_checked("#event-created")

    redrawn(admin, lambda: admin.click("#rule-conditions button:has-text('Condition')"))
    redrawn(admin, lambda: admin.select_option("#node-0-field", "title"))
    redrawn(admin, lambda: admin.select_option("#node-0-op", "contains"))
    admin.fill("#node-0-value", "VPN")

    redrawn(admin, lambda: admin.click("#rule-actions button:has-text('Action')"))
    redrawn(admin, lambda: admin.select_option("#action-0-type", "assign"))
    admin.select_option("#action-0-group", label="Network Helsinki")
    redrawn(admin, lambda: admin.click("#rule-actions > button:has-text('Action')"))
    redrawn(admin, lambda: admin.select_option("#action-1-type", "add_tags"))
    admin.fill("#action-1-tags", "vpn")
    assert admin.input_value("#node-0-value") == "VPN"  # redraws keep what was typed
    assert admin.input_value("#id_name") == RULE

    admin.click("#preview-button")
    admin.wait_for_selector("#preview strong")
    assert "0 open tickets match now" in admin.inner_text("#preview")
    shoot(admin, "rule-editor-built")
    admin.click("button:has-text('Save rule')")
    admin.wait_for_url("**/automation/")
    admin.wait_for_selector(f"text={RULE}")
    shoot(admin, "rule-list-saved")


def test_a_rule_built_in_the_pages_assigns_and_tags_the_next_vpn_incident(
    chromium, live_server, desk, shoot
):
    base = live_server.url

    # 1. The administrator builds the rule without code.
    admin = sign_in(chromium, base, desk.admin.email)
    build_the_rule(admin, base, shoot, desk)
    rule = Rule.objects.get()
    assert rule.kinds == ["incident"] and rule.events == ["created"]
    assert rule.conditions["items"] == [{"field": "title", "op": "contains", "value": "VPN"}]
    assert rule.actions == [
        {"type": "assign", "group": desk.network_hel.pk},
        {"type": "add_tags", "tags": ["vpn"]},
    ]

    # 2. The operator logs a call about the VPN and leaves it with the desk.
    operator = sign_in(chromium, base, desk.operator.email)
    operator.goto(f"{base}/desk/call/")
    operator.fill("#id_caller", "555 1234")
    operator.locator("#caller-results [role=option]").first.click()
    operator.wait_for_selector("#caller-box [name=requester]", state="attached")
    operator.fill("#id_title", "VPN keeps dropping in the Espoo office")
    operator.fill("#id_description", "Caller loses the tunnel every ten minutes.")
    operator.click("text=Register the call")
    operator.wait_for_url("**/desk/tickets/INC-*/")

    # 3. The rule acted in its own name: the ticket page shows the group, the tag and why.
    operator.reload()
    ticket = Ticket.objects.get()
    assert ticket.group == desk.network_hel
    assert list(ticket.tags.values_list("name", flat=True)) == ["vpn"]
    page = operator.content()
    assert "Network Helsinki" in page and "vpn" in page
    timeline = operator.inner_text("#timeline") if operator.locator("#timeline").count() else page
    assert RULE in timeline
    shoot(operator, "ticket-after-rule")

    # 4. The rule's run log names the ticket.
    admin.goto(f"{base}/automation/{rule.pk}/runs/")
    admin.wait_for_selector(f"text={ticket.number}")
    shoot(admin, "rule-run-log")
