"""Guided scripts in real Chromium: an administrator builds and publishes a three-level
script; an operator runs it while logging a call and resolves at first contact.
Screenshots land in test-artifacts/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.conftest import PASSWORD
from tuki.scripts.models import RunOutcome, ScriptRun
from tuki.tickets.models import ResolutionCode, Ticket

pytestmark = pytest.mark.browser


def sign_in(browser: Any, base: str, email: str, width: int = 1366, height: int = 900) -> Any:
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def add_under(page: Any, node: str, kind: str) -> None:
    form = page.locator(f"#node-{node} > form.add-under").first
    form.locator("select").select_option(kind)
    with page.expect_navigation():
        form.locator("button").click()


def edit(page: Any, node: str, text: str, group: str = "") -> None:
    page.click(f"#node-{node} summary")
    page.fill(f"#id_{node}-text", text)
    if group:
        page.select_option(f"#id_{node}-group", label=group)
    with page.expect_navigation():
        page.click(f"#node-{node} button:has-text('Save')")


def test_an_admin_builds_a_script_and_an_operator_resolves_a_call_with_it(
    chromium, live_server, desk, shoot
) -> None:
    base = live_server.url
    admin = sign_in(chromium, base, desk.admin.email)
    admin.goto(f"{base}/scripts/new/")
    admin.fill("#id_name", "VPN will not connect")
    admin.fill("#id_keywords", "vpn")
    with admin.expect_navigation():
        admin.click("button:has-text('Create')")
    admin.select_option("#add-root select", "question")
    with admin.expect_navigation():
        admin.click("#add-root button")
    edit(admin, "n1", "Is the laptop online?")
    add_under(admin, "n1", "question")
    edit(admin, "n2", "Is the VPN client installed?")
    add_under(admin, "n2", "check")
    edit(admin, "n3", "Restart the VPN client. Does it connect now?")
    add_under(admin, "n3", "resolve")
    edit(admin, "n4", "Restarted the VPN client; it connects.")
    for node, target in (("n1", "n5"), ("n2", "n6"), ("n3", "n7")):
        add_under(admin, node, "escalate")
        edit(admin, target, "Network must look at it", group="Network Helsinki")
    admin.wait_for_selector("#tree-valid")
    shoot(admin, "builder")
    admin.screenshot(path="docs/screenshots/scripts-builder.png", full_page=True)
    with admin.expect_navigation():
        admin.click("#publish")
    admin.wait_for_selector("text=Version 1 is published.")
    admin.set_viewport_size({"width": 390, "height": 844})
    admin.screenshot(path="docs/screenshots/scripts-builder-mobile.png", full_page=True)

    operator = sign_in(chromium, base, desk.operator.email)
    operator.goto(f"{base}/desk/call/")
    operator.fill("#id_caller", "555 1234")
    operator.locator("#caller-results [role=option]").first.click()
    operator.wait_for_selector("#caller-box [name=requester]", state="attached")
    operator.fill("#id_title", "VPN will not connect")
    operator.locator("#script-suggest [data-script-start]").first.click()
    operator.wait_for_selector("#script-step")
    for _ in range(3):
        count = operator.locator("#script-trail li").count()
        operator.locator("#script-step [data-script-answer]", has_text="Yes").click()
        operator.wait_for_function(
            f"() => document.querySelectorAll('#script-trail li').length > {count}"
        )
    operator.wait_for_selector("#script-step >> text=resolved at first contact")
    shoot(operator, "log-call-script")
    operator.screenshot(path="docs/screenshots/scripts-log-call.png", full_page=True)
    operator.click("text=Register the call")
    operator.wait_for_url("**/desk/tickets/INC-*/")
    operator.wait_for_selector("#script-runs")
    transcript = operator.inner_text("#script-transcripts")
    shoot(operator, "ticket-transcript")
    operator.screenshot(path="docs/screenshots/scripts-ticket-transcript.png", full_page=True)
    operator.set_viewport_size({"width": 390, "height": 844})
    operator.goto(f"{base}/desk/call/")
    operator.screenshot(path="docs/screenshots/scripts-log-call-mobile.png", full_page=True)

    ticket = Ticket.objects.get()
    assert ticket.resolution_code == ResolutionCode.FIRST_CONTACT
    run = ScriptRun.objects.get()
    assert run.ticket == ticket and run.outcome == RunOutcome.RESOLVE
    assert "Is the VPN client installed?" in transcript
