"""An administrator builds a custom field in the console; an agent fills it in on a ticket.

Screenshots land in test-artifacts/screenshots/; the final ones are kept in docs/screenshots/
(custom-fields-*.png), at 1366x900 and 390x844."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tuki.tickets.models import CustomField, Ticket
from tuki.tickets.tests.test_browser_story import sign_in

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def keep(page: Any, name: str) -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    for width, height, suffix in ((1366, 900, ""), (390, 844, "-mobile")):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(DOCS / f"custom-fields-{name}{suffix}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_an_admin_builds_a_field_and_an_agent_fills_it_in(
    chromium, live_server, desk, incident, shoot
):
    base = live_server.url
    admin = sign_in(chromium, base, desk.admin.email)
    admin.goto(f"{base}/console/fields/new/")
    admin.fill("#id_label", "Laptop model")
    admin.fill("#id_label_fi", "Kannettavan malli")
    admin.fill("#id_key", "laptop_model")
    admin.select_option("#id_type", "choice")
    admin.fill("#id_choices", "t14 | ThinkPad T14\nx1 | ThinkPad X1 | | ThinkPad X1 (kevyt)")
    admin.check("#id_kinds_0")  # incidents
    keep(admin, "edit")
    shoot(admin, "field-form")
    admin.click("form[novalidate] button[type=submit]")
    admin.wait_for_url(f"{base}/console/fields/")
    assert admin.locator("text=laptop_model").count() == 1
    keep(admin, "list")
    shoot(admin, "field-list")
    field = CustomField.objects.get(key="laptop_model")
    assert field.choices[1]["labels"] == {"fi": "ThinkPad X1 (kevyt)"}

    agent = sign_in(chromium, base, desk.operator.email)
    agent.goto(f"{base}{incident.get_absolute_url()}")
    row = agent.locator("#field-cf_laptop_model")
    row.locator("a.ws-edit").click()
    row.locator("select[name='custom.laptop_model']").select_option("x1")
    shoot(agent, "inline-edit")
    row.locator("button[type=submit]").click()
    agent.locator("#field-cf_laptop_model .ws-field-value:has-text('ThinkPad X1')").wait_for()
    keep(agent, "ticket")
    shoot(agent, "ticket-page")
    assert Ticket.objects.get(pk=incident.pk).custom == {"laptop_model": "x1"}

    agent.goto(f"{base}/desk/call/")
    assert agent.locator("select[name='custom.laptop_model']").count() == 1
    shoot(agent, "log-a-call")


def test_an_agent_picks_a_person_by_typing_part_of_their_name(
    chromium, live_server, desk, incident, shoot
):
    CustomField.objects.create(key="approver", label="Approver", type="user")
    base = live_server.url
    agent = sign_in(chromium, base, desk.operator.email)
    agent.goto(f"{base}{incident.get_absolute_url()}")
    row = agent.locator("#field-cf_approver")
    row.locator("a.ws-edit").click()
    search = row.locator("input[type=search]")
    search.fill(desk.lead.full_name.split()[0])
    select = row.locator("select[name='custom.approver']")
    select.locator(f"option[value='{desk.lead.pk}']").wait_for(state="attached")
    select.select_option(str(desk.lead.pk))
    shoot(agent, "person-picker")
    row.locator("button[type=submit]").click()
    row.locator(f".ws-field-value:has-text('{desk.lead.full_name}')").wait_for()
    assert Ticket.objects.get(pk=incident.pk).custom == {"approver": desk.lead.pk}
