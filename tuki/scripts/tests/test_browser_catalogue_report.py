"""Log a call's catalogue picker and the scripts report in real Chromium, at 1280 and 390
pixels. Screenshots land in test-artifacts/screenshots/ and docs/screenshots/."""

from __future__ import annotations

import pytest

from tuki.catalogue import services as catalogue_services
from tuki.catalogue.models import CatalogueCategory
from tuki.scripts import services
from tuki.scripts.models import ScriptRun
from tuki.scripts.tests.helpers import build_vpn_script
from tuki.scripts.tests.test_browser_scripts import sign_in
from tuki.tickets import services as ticket_services
from tuki.tickets.models import Ticket

pytestmark = pytest.mark.browser


def test_an_operator_orders_from_the_catalogue_for_the_caller(
    chromium, live_server, desk, shoot
) -> None:
    shelf = CatalogueCategory.objects.create(name="Access", icon="key")
    item = catalogue_services.save_item(
        desk.admin,
        None,
        {"name": "VPN access", "category": shelf, "short_description": "Work from home."},
    )
    catalogue_services.save_item(
        desk.admin, None, {"name": "Desk phone", "category": shelf, "groups": [desk.service_desk]}
    )
    catalogue_services.save_item(desk.admin, None, {"name": "Shared mailbox", "category": shelf})
    script = build_vpn_script(desk)
    script.catalogue_items.set([item])
    base = live_server.url
    for width, suffix in ((1280, ""), (390, "-mobile")):
        page = sign_in(chromium, base, desk.operator.email, width=width, height=900)
        page.goto(f"{base}/desk/call/")
        page.fill("#id_caller", "555 1234")
        page.locator("#caller-results [role=option]").first.click()
        page.wait_for_selector("#caller-box [name=requester]", state="attached")
        page.click("label[for=call-catalogue-toggle]")
        page.wait_for_selector("#call-catalogue-items")
        names = page.inner_text("#call-catalogue-items")
        assert "VPN access" in names and "Shared mailbox" in names
        assert "Desk phone" not in names  # the operator's group may order it, the caller not
        page.fill("#call-catalogue-q", "vpn")
        page.wait_for_function(
            "() => !document.querySelector('#call-catalogue-items')?.innerText.includes('Shared')"
        )
        page.wait_for_load_state("networkidle")
        page.click(f"label[for=call-item-{item.pk}]")
        page.wait_for_selector("#script-suggest >> text=VPN will not connect")
        shoot(page, f"call-catalogue{suffix}")
        page.screenshot(path=f"docs/screenshots/call-catalogue{suffix}.png", full_page=True)
        page.context.close()
    page = sign_in(chromium, base, desk.operator.email, width=1280)
    page.goto(f"{base}/desk/call/")
    page.fill("#id_caller", "555 1234")
    page.locator("#caller-results [role=option]").first.click()
    page.wait_for_selector("#caller-box [name=requester]", state="attached")
    page.click("label[for=call-catalogue-toggle]")
    with page.expect_navigation():
        page.click(f"#call-catalogue-items a[href*='/catalogue/order/{item.pk}/']")
    with page.expect_navigation():
        page.click("button:has-text('Send the order')")
    ticket = Ticket.objects.get()
    assert ticket.requester == desk.requester and ticket.channel == "phone"


def test_the_scripts_report(chromium, live_server, desk, shoot) -> None:
    script = build_vpn_script(desk)
    operator = desk.operator
    for answers, finish in (([0, 0, 0], True), ([1], True), ([0], False), ([0, 0], False)):
        run = services.start_run(operator, script)
        for index in answers:
            services.answer(operator, run, index)
        if finish:
            ticket = ticket_services.create_ticket(operator, title="Call", requester=desk.requester)
            services.finish(operator, run, ticket)
        else:
            services.abandon(operator, run)
    services.edit_draft(desk.admin, script)
    services.publish(desk.admin, script)
    run = services.start_run(operator, script)
    services.abandon(operator, run)
    assert ScriptRun.objects.count() == 5
    base = live_server.url
    for width, suffix in ((1280, ""), (390, "-mobile")):
        page = sign_in(chromium, base, desk.admin.email, width=width, height=900)
        page.goto(f"{base}/scripts/report/?days=90")
        page.wait_for_selector("#scripts-report")
        assert page.inner_text("#total-uses") == "5"
        shoot(page, f"scripts-report{suffix}")
        page.screenshot(path=f"docs/screenshots/scripts-report{suffix}.png", full_page=True)
        page.context.close()
