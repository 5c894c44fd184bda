"""Assist at Log a call in real Chromium: the operator types a call in Romanian; the
colleague's English ticket and the live VPN outage are offered as duplicates, the suggested
group shows with its reason, and one click registers the call as a child of the outage.
Screenshots at desktop and phone sizes land in test-artifacts/screenshots/.
"""

from __future__ import annotations

from typing import Any

import pytest

from tuki.assist import services as assist
from tuki.assist.models import Kind as AssistKind, Suggestion
from tuki.conftest import PASSWORD
from tuki.majors.models import MajorIncident, State
from tuki.tickets import services as tickets
from tuki.tickets.models import Category, Channel, LinkType, ResolutionCode, Ticket, TicketLink

pytestmark = pytest.mark.browser


def _page(browser: Any, base: str, email: str, width: int, height: int) -> Any:
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def _history(desk: Any) -> None:
    apps = Category.objects.create(name="Applications")
    for _round in range(3):
        for title, group, category in [
            ("VPN 809 error at home", desk.network_hel, desk.vpn),
            ("VPN drops", desk.network_hel, desk.vpn),
            ("Payroll crashes", desk.apps, apps),
            ("Invoice app error", desk.apps, apps),
        ]:
            ticket = tickets.create_ticket(
                desk.operator,
                title=title,
                requester=desk.requester,
                channel=Channel.PHONE,
                category=category,
            )
            ticket = tickets.escalate_ticket(desk.operator, ticket, group=group, reason="theirs")
            tickets.resolve_ticket(desk.admin, ticket, code=ResolutionCode.values[0])
    for kind in (AssistKind.GROUP, AssistKind.CATEGORY, AssistKind.PRIORITY):
        assist.train(kind)


def _log(page: Any, base: str) -> None:
    page.goto(f"{base}/desk/call/")
    page.fill("#id_caller", "555 1234")
    page.locator("#caller-results [role=option]").first.click()
    page.wait_for_selector("#caller-box [name=requester]", state="attached")
    page.select_option("#id_category", label="Network › VPN")
    page.fill("#id_title", "VPN eroare 809 la conectare")
    page.wait_for_selector("#similar-warning .ws-duplicate >> nth=1")
    page.wait_for_selector("#assist-advice >> text=Network Helsinki")


def test_the_duplicate_and_the_outage_are_offered_and_the_group_suggested_with_its_reason(
    chromium: Any, live_server: Any, desk: Any, shoot: Any
) -> None:
    base = live_server.url
    _history(desk)
    colleague = tickets.create_ticket(
        desk.operator,
        title="VPN error 809 when connecting",
        requester=desk.colleague,
        category=desk.vpn,
    )
    outage = tickets.create_ticket(
        desk.operator,
        title="VPN gateway down in Helsinki",
        requester=desk.colleague,
        category=desk.vpn.parent,
        impact=1,
        urgency=2,
    )
    MajorIncident.objects.create(ticket=outage, state=State.DECLARED)

    for size, (width, height) in {"desktop": (1366, 900), "phone": (390, 844)}.items():
        page = _page(chromium, base, desk.operator.email, width, height)
        _log(page, base)
        warning = page.locator("#similar-warning").inner_text()
        assert colleague.number in warning and outage.number in warning
        assert "same organisation" in warning and "a live outage" in warning
        advice = page.locator("#assist-advice").inner_text()
        assert "Assist suggests Network Helsinki" in advice
        assert "INC-" in advice  # the reason: similar past tickets, linked
        shoot(page, f"{size}-duplicate-and-suggested-group")
        if size == "phone":
            break
        # One click: escalate to the suggestion; one more: register as the outage's child.
        page.click("#assist-advice [data-assist-kind=group] button")
        assert page.locator("#outcome-escalate").is_checked()
        assert page.locator("#id_group").input_value() == str(desk.network_hel.pk)
        page.click(f"#similar-warning button[name=child_of][value='{outage.pk}']")
        page.wait_for_url("**/desk/tickets/INC-*/")
        shoot(page, f"{size}-registered-under-the-outage")

    new = Ticket.objects.latest("pk")
    assert new.requester == desk.requester and new.group == desk.network_hel
    assert TicketLink.objects.filter(source=outage, target=new, type=LinkType.PARENT_OF).exists()
    logged = Suggestion.objects.get(ticket=new, kind=AssistKind.GROUP)
    assert logged.outcome == "accepted"
