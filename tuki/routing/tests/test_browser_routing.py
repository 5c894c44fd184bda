"""Routing in real Chromium: an administrator writes a rule and sets a group to round robin,
a manager marks a member away, and a new ticket lands with the next available agent.
Screenshots of every page land in test-artifacts/screenshots/.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tuki.accounts.models import Absence
from tuki.routing.models import RoutingRule
from tuki.tickets import services
from tuki.tickets.models import Ticket
from tuki.tickets.tests.test_browser_story import sign_in

pytestmark = pytest.mark.browser


def test_a_rule_and_round_robin_built_in_the_pages_route_a_new_ticket(
    chromium: Any, live_server: Any, desk: Any, team: Any, shoot: Any
) -> None:
    base = live_server.url
    desk.network_buc.manager = desk.lead
    desk.network_buc.save()

    # 1. The administrator writes the rule; a first try without a group shows the error.
    admin = sign_in(chromium, base, desk.admin.email)
    admin.click("#manage-menu >> xpath=.. >> a.dropdown-toggle")
    admin.click("text=Routing and assignment")
    admin.wait_for_url("**/routing/")
    shoot(admin, "rules-empty")
    admin.click("text=New rule")
    admin.fill("#id_name", "VPN incidents from Bucharest")
    admin.select_option("#id_kind", "incident")
    admin.select_option("#id_category", label="Network › VPN")
    admin.select_option("#id_location", label="Bucharest")
    admin.click("main button[type=submit]")
    admin.wait_for_selector(".invalid-feedback")  # no group chosen
    shoot(admin, "rule-error")
    admin.select_option("#id_group", label="Network Bucharest")
    admin.click("main button[type=submit]")
    admin.wait_for_url("**/routing/")
    admin.click("text=New rule")
    admin.fill("#id_name", "Requests from Globex")
    admin.select_option("#id_kind", "request")
    admin.select_option("#id_organisation", label="Globex SRL")
    admin.select_option("#id_group", label="Applications")
    shoot(admin, "rule-form")
    admin.click("main button[type=submit]")
    admin.wait_for_url("**/routing/")
    admin.click("button[aria-label='Move Requests from Globex up']")
    admin.wait_for_url("**/routing/")
    shoot(admin, "rules-list")
    assert list(RoutingRule.objects.values_list("name", flat=True)) == [
        "Requests from Globex",
        "VPN incidents from Bucharest",
    ]
    rule = RoutingRule.objects.get(name="VPN incidents from Bucharest")
    assert (rule.kind, rule.category, rule.location, rule.group) == (
        "incident",
        desk.vpn,
        desk.bucharest,
        desk.network_buc,
    )

    # 2. The group's manager turns on round robin and marks Anca away.
    lead = sign_in(chromium, base, desk.lead.email)
    lead.goto(f"{base}/preferences/")
    shoot(lead, "preferences-away-dates")
    lead.click("#away-dates >> text=Network Bucharest")
    lead.check("input[value=round_robin]")
    lead.click("#assignment-mode button[type=submit]")
    lead.wait_for_selector(".alert-success")
    today = timezone.localdate()
    lead.select_option("#group-absences #id_user", label=team.a.full_name)
    lead.fill("#group-absences #id_starts_on", today.isoformat())
    lead.fill("#group-absences #id_ends_on", (today + timedelta(days=2)).isoformat())
    lead.fill("#group-absences #id_note", "Conference")
    lead.click("#group-absences button[type=submit]")
    lead.wait_for_selector("text=Conference")
    shoot(lead, "group-page")
    assert Absence.objects.get().user == team.a
    lead.goto(f"{base}/routing/groups/")
    shoot(lead, "groups-list")

    # 3. A VPN incident from Bucharest: routed by the rule, assigned past the absent Anca.
    ticket = services.create_ticket(
        desk.operator, title="VPN down in Bucharest", requester=desk.outsider, category=desk.vpn
    )
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.owner_group, ticket.group, ticket.assignee) == (
        desk.service_desk,
        desk.network_buc,
        team.b,
    )
    admin.goto(f"{base}/desk/tickets/{ticket.number}/")
    admin.wait_for_selector("text=Routing rule “VPN incidents from Bucharest”")
    admin.wait_for_selector("text=Auto-assigned by the group's mode: round robin")
    shoot(admin, "ticket-routed")
