"""Every main page under the strict Content-Security-Policy, in real Chromium: no console
error (a blocked inline script, style or handler logs one), and the behaviour that moved from
inline code to static/tuki/*.js still works.

tuki/lib/tests/test_csp.py scans the templates; this test catches what a scan cannot (htmx's
own <style>, code a library adds, fragments swapped in).
"""

from __future__ import annotations

from typing import Any

import pytest

from tuki.automation import services
from tuki.automation.models import Rule
from tuki.lib.csp import DIRECTIVES, parse
from tuki.tickets.tests.test_browser_story import sign_in

pytestmark = pytest.mark.browser

# Recorded in the page before any of its own code runs.
WATCH_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


class Console:
    """Collects console errors, uncaught exceptions and CSP violations of one page."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("console", self.on_console)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

    def on_console(self, message: Any) -> None:
        # Django's admin names no icon, so Chromium asks for /favicon.ico, which Tuki lacks.
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            self.errors.append(message.text)

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response.status < 400, url
        assert parse(response.headers["content-security-policy"]) == DIRECTIVES, url
        self.page.wait_for_load_state("networkidle")
        self.check(url)

    def check(self, where: str) -> None:
        self.errors += self.page.evaluate("window.cspViolations.splice(0)")
        assert self.errors == [], where


def test_the_agents_pages_run_clean_under_the_policy(chromium, live_server, desk, escalated, shoot):
    base = live_server.url
    page = sign_in(chromium, base, desk.operator.email)
    console = Console(page)

    console.visit(f"{base}/desk/")
    console.visit(f"{base}/desk/tickets/")
    # The select-all box (data-check-all) ticks every row.
    page.check("th input[type=checkbox]")
    assert page.locator("#bulk-form input[name=tickets]:checked").count() == 1
    console.check("queue select-all")

    console.visit(f"{base}{escalated.get_absolute_url()}")
    page.wait_for_selector("#macro-picker")  # the composer's htmx fragment came in
    page.click("button[data-bs-target='#action-assign']")
    dialog = page.locator("#action-assign")
    dialog.locator("#action-form-assign button[type=submit]").wait_for(state="visible")
    dialog.locator("#id_assign_group").select_option(str(desk.network_hel.pk))
    assert dialog.locator("#id_assign_assignee optgroup:not([hidden])").count() == 1
    shoot(page, "ticket-assign-dialog")
    console.check("ticket page, assign dialog")
    dialog.locator("[data-bs-dismiss=modal]").first.click()
    dialog.wait_for(state="hidden")
    # Ctrl+Enter in the reply box (data-submit-shortcut) sends it.
    page.wait_for_load_state("networkidle")  # every fragment in before typing
    page.fill("#id_body", "Checking the concentrator logs.")
    # What the page asked for and got from here on: a failure below then says whether the
    # reply was sent at all and what came back (it timed out twice on loaded CI machines).
    traffic: list[str] = []
    page.on("request", lambda r: traffic.append(f"> {r.method} {r.url}"))
    page.on("response", lambda r: traffic.append(f"< {r.status} {r.request.method} {r.url}"))
    page.on("requestfailed", lambda r: traffic.append(f"! {r.method} {r.url} {r.failure}"))
    focused = page.evaluate("document.activeElement && document.activeElement.id")
    page.press("#id_body", "Control+Enter")
    # The reply's follow-up work runs in the request here (the immediate task backend): on a
    # loaded CI machine it once took longer than the default 15 s.
    try:
        page.wait_for_selector("text=Checking the concentrator logs.", timeout=45_000)
    except Exception as exc:
        raise AssertionError(
            f"the reply did not appear; focus before the key press: {focused!r}; "
            f"traffic since: {traffic}"
        ) from exc
    console.check("ticket page, note sent")

    console.visit(f"{base}/desk/call/")
    page.fill("#id_caller", "555 1234")
    page.locator("#caller-results [role=option]").first.wait_for()
    page.press("#id_caller", "ArrowDown")  # tickets.js: the arrow keys walk the matches
    assert page.evaluate("document.activeElement.getAttribute('role')") == "option"
    page.keyboard.press("Enter")
    page.wait_for_selector("#caller-box [name=requester]", state="attached")
    console.check("log a call, caller picked")

    console.visit(f"{base}/kb/articles/")
    console.visit(f"{base}/kb/new/")
    console.visit(f"{base}/search/?q=VPN")
    shoot(page, "agent-search")


def test_the_administrators_pages_run_clean_under_the_policy(chromium, live_server, desk):
    base = live_server.url
    page = sign_in(chromium, base, desk.admin.email)
    console = Console(page)
    console.visit(f"{base}/automation/")
    console.visit(f"{base}/automation/new/")
    rule = services.create_rule(
        desk.admin,
        name="Tag VPN",
        events=["created"],
        conditions={
            "match": "all",
            "items": [{"field": "title", "op": "contains", "value": "vpn"}],
        },
        actions=[{"type": "add_tags", "tags": ["vpn"]}],
    )
    console.visit(f"{base}/automation/{rule.pk}/")
    # Deleting asks first (data-confirm); saying no keeps the rule.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("form[action$='/delete/'] button[type=submit]")
    console.visit(f"{base}/automation/{rule.pk}/runs/")
    assert Rule.objects.filter(pk=rule.pk).exists()
    console.visit(f"{base}/routing/")
    console.visit(f"{base}/macros/")
    console.visit(f"{base}/webhooks/")
    console.visit(f"{base}/kb/categories/")
    console.visit(f"{base}/kb/reports/")
    console.visit(f"{base}/api/v1/docs")  # ninja's Swagger UI needs no exemption
    page.wait_for_selector(".swagger-ui .info")
    console.check("API docs")
    console.visit(f"{base}/admin/")
    console.visit(f"{base}/admin/tickets/ticket/")


def test_the_requesters_pages_run_clean_under_the_policy(
    chromium, live_server, desk, incident, shoot
):
    base = live_server.url
    page = sign_in(chromium, base, desk.requester.email)
    console = Console(page)
    console.visit(f"{base}/portal/")
    console.visit(f"{base}/portal/tickets/{incident.number}/")
    console.visit(f"{base}/portal/new/")
    page.fill("#id_title", "Printer jams")
    page.wait_for_load_state("networkidle")  # suggestions from the knowledge base
    console.check("new request, suggestions")
    console.visit(f"{base}/kb/")
    console.visit(f"{base}/search/portal/?q=VPN")
    shoot(page, "portal-search")
