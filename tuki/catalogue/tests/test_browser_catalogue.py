"""The catalogue in real Chromium: the JavaScript evaluator agrees with Python on the shared
cases; an administrator builds an item with a conditional question; a requester orders it
(the question appears when its condition holds); the fulfilment tasks show on the ticket
for the agent. Screenshots land in test-artifacts/screenshots/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tuki.catalogue import services
from tuki.catalogue.models import CatalogueItem, FulfilmentTask
from tuki.conftest import PASSWORD
from tuki.tickets.models import Ticket

pytestmark = pytest.mark.browser

CASES = json.loads((Path(__file__).parent / "condition_cases.json").read_text())
PHONE = {"width": 390, "height": 844}


def sign_in(browser: Any, base: str, email: str, viewport: dict[str, int] | None = None) -> Any:
    page = browser.new_context(viewport=viewport or {"width": 1366, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    page.goto(f"{base}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def test_the_browser_evaluator_agrees_with_python_on_every_case(
    chromium, live_server, desk, laptop
) -> None:
    page = sign_in(chromium, live_server.url, desk.requester.email)
    page.goto(f"{live_server.url}/catalogue/order/{laptop.item.pk}/")
    page.wait_for_function("() => window.tukiConditions !== undefined")
    holds = page.evaluate(
        "cases => cases.map(c => window.tukiConditions.holds(c.condition, c.values))",
        CASES["holds"],
    )
    assert {c["name"]: h for c, h in zip(CASES["holds"], holds, strict=True)} == {
        c["name"]: c["holds"] for c in CASES["holds"]
    }
    states = page.evaluate(
        "cases => cases.map(c => window.tukiConditions.resolve(c.fields, c.values))",
        CASES["resolve"],
    )
    for case, got in zip(CASES["resolve"], states, strict=True):
        assert got == case["states"], case["name"]
    assert page.console_errors == []


def test_an_item_is_built_ordered_and_fulfilled(chromium, live_server, desk, laptop, shoot) -> None:
    base = live_server.url
    # 1. The administrator builds an item with a conditional question.
    admin = sign_in(chromium, base, desk.admin.email)
    admin.goto(f"{base}/console/catalogue/items/new/")
    admin.fill("#id_name", "Docked laptop")
    admin.fill("#id_name_fi", "Telakoitu kannettava")
    admin.fill("#id_short_description", "A laptop with a desk set-up.")
    admin.select_option("#id_category", label="Devices")
    admin.select_option("#id_ticket_category", label="Hardware")
    admin.select_option("#id_fulfilment_group", label="Network Helsinki")
    shoot(admin, "console-item")
    admin.click("button:has-text('Save')")
    admin.wait_for_url("**/form/")
    rows = [
        ("1", "Laptop model", True, None),
        ("2", "Docking", False, None),
        ("3", "Monitor count", True, ("show", "docking", "eq", "true")),
    ]
    for index, (order, label, required, condition) in enumerate(rows):
        admin.fill(f"#id_q-{index}-ORDER", order)
        admin.select_option(f"#id_q-{index}-field", label=label)
        admin.fill(f"#id_q-{index}-section", "Laptop" if index == 0 else "Desk")
        if required:
            admin.check(f"#id_q-{index}-required")
        if condition:
            effect, key, op, value = condition
            admin.select_option(f"#id_q-{index}-effect", effect)
            admin.fill(f"#id_q-{index}-when_field", key)
            admin.select_option(f"#id_q-{index}-op", op)
            admin.fill(f"#id_q-{index}-value", value)
    shoot(admin, "console-form-builder")
    admin.click("button:has-text('Save the form')")
    admin.wait_for_selector(".alert-success")
    item = CatalogueItem.objects.get(name="Docked laptop")
    assert [f.field.key for f in item.fields.select_related("field")] == [
        "laptop_model",
        "docking",
        "monitor_count",
    ]
    services.set_tasks(
        desk.admin,
        item,
        [{"title": "Image the laptop", "group": desk.network_hel}, {"title": "Set up the desk"}],
    )
    assert admin.console_errors == []

    # 2. The requester orders it; the monitor count appears only with a docking station.
    page = sign_in(chromium, base, desk.requester.email)
    page.goto(f"{base}/portal/")
    page.wait_for_selector("text=Docked laptop")
    shoot(page, "portal-home")
    page.fill("#catalogue-find", "laptop")
    page.wait_for_selector("#catalogue-found .catalogue-item")
    page.click("text=Docked laptop")
    page.wait_for_selector("#order-form")
    monitors = page.locator('[data-catalogue-field="monitor_count"]')
    assert monitors.is_hidden()
    page.select_option("#id_custom__laptop_model", "mac")
    page.check("#id_custom__docking")
    monitors.wait_for(state="visible")
    page.fill("#id_custom__monitor_count", "2")
    shoot(page, "order-form")
    page.uncheck("#id_custom__docking")
    monitors.wait_for(state="hidden")
    page.check("#id_custom__docking")
    page.click("button:has-text('Send the order')")
    page.wait_for_url("**/portal/tickets/**")
    ticket = Ticket.objects.get()
    assert ticket.custom == {"laptop_model": "mac", "docking": True, "monitor_count": 2}
    shoot(page, "ordered")
    assert page.console_errors == []

    # 3. The agent sees the checklist on the ticket page and ticks a task off.
    agent = sign_in(chromium, base, desk.specialist.email)
    agent.goto(f"{base}{ticket.get_absolute_url()}")
    agent.wait_for_selector("#fulfilment-tasks .list-group-item")
    assert "Image the laptop" in agent.inner_text("#fulfilment-tasks")
    agent.locator("#fulfilment-tasks input[type=checkbox]").first.check()
    agent.wait_for_selector("#fulfilment-tasks .badge:has-text('1/2')")
    shoot(agent, "ticket-fulfilment")
    assert FulfilmentTask.objects.filter(ticket=ticket, done_by=desk.specialist).count() == 1
    assert agent.console_errors == []


def test_the_catalogue_pages_on_a_phone(chromium, live_server, desk, laptop, shoot) -> None:
    page = sign_in(chromium, live_server.url, desk.requester.email, PHONE)
    page.goto(f"{live_server.url}/portal/")
    page.wait_for_selector("text=New laptop")
    shoot(page, "portal-home-phone")
    page.click("text=New laptop")
    page.wait_for_selector("#order-form")
    page.check("#id_custom__docking")
    shoot(page, "order-form-phone")
    admin = sign_in(chromium, live_server.url, desk.admin.email, PHONE)
    admin.goto(f"{live_server.url}/console/catalogue/items/{laptop.item.pk}/form/")
    shoot(admin, "console-form-builder-phone")
    assert page.console_errors == [] and admin.console_errors == []
