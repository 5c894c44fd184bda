"""A desk manager's team view in real Chromium at a desktop's and a phone's width: the figures,
the workload table and the lists fit the screen, a number opens its tickets, no console error.

Screenshots: docs/screenshots/dashboard-manager-*.png (kept in the repository, for docs).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tuki.conftest import make_user
from tuki.reports.tests.test_views_team import work
from tuki.sla.models import ClockState, Metric, SlaClock
from tuki.tickets.models import Status, Ticket
from tuki.tickets.tests.test_browser_layout import DESKTOP, PHONE, signed_in

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def a_busy_team(desk: Any) -> Any:
    manager = make_user("dora@tuki.test", "Dora Deskmanager", is_agent=True, sees_all_tickets=True)
    desk.service_desk.manager = manager
    desk.service_desk.save()
    now = timezone.now()
    mine = work(desk, 4, assignee=desk.specialist)
    work(desk, 2, assignee=desk.specialist, status="pending_customer")
    work(desk, 3, assignee=desk.lead)
    loose = work(desk, 3)
    for ticket, late in zip([mine[0], mine[1], loose[0], loose[1]], [False, True] * 2, strict=True):
        SlaClock.objects.create(
            ticket=ticket,
            metric=Metric.RESOLUTION,
            target_minutes=480,
            started_at=now - timedelta(hours=8),
            warn_at=now - timedelta(hours=1),
            deadline=now - timedelta(minutes=5) if late else now + timedelta(hours=2),
            state=ClockState.RUNNING,
        )
    # Resolved over the last days: the group's capacity.
    for n, ticket in enumerate(work(desk, 9)):
        at = now - timedelta(days=1 + n % 3)
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=at - timedelta(days=2),
            resolved_at=at,
            updated_at=at,
            status=Status.objects.get(key="resolved"),
        )
    return manager


def test_a_desk_managers_team_view_at_desktop_and_phone_width(chromium, live_server, desk):
    manager = a_busy_team(desk)
    DOCS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page = signed_in(chromium, live_server.url, manager.email, viewport)
        page.goto(f"{live_server.url}/desk/")
        page.click("#team-view-link")
        page.wait_for_url(lambda url: url.endswith("/reports/team/"))
        assert page.locator("#team-overview tbody tr").count() == 4
        page.screenshot(path=str(DOCS / f"dashboard-manager-{label}-teams.png"), full_page=True)
        page.click("#team-overview a:text('Network Helsinki')")
        page.wait_for_selector("#team-workload")
        assert page.inner_text("#team-active") == "12"
        assert page.inner_text("#team-at-risk") == "2"
        assert page.inner_text("#team-breached") == "2"
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        # The workload table fits its card: no sideways scrolling, even on a phone.
        table = page.locator("#team-workload")
        assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")
        page.screenshot(path=str(DOCS / f"dashboard-manager-{label}.png"), full_page=True)
        # A number opens exactly its tickets.
        page.click("#team-breached")
        page.wait_for_selector("#team-tickets-count")
        assert page.inner_text("#team-tickets-count") == "2"
        assert page.locator(".ws-ticket-list li").count() == 2
        assert page.errors == []
