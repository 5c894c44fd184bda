"""The status page and the availability report in real Chromium at desktop and phone widths:
a requester reads the state of their services, an agent the report for a client and a
service's outages, an anonymous visitor the public page. Screenshots in
docs/screenshots/status-page-*.png and availability-report-*.png."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tuki.availability import services
from tuki.availability.models import Impact, PublicService
from tuki.cmdb import services as cmdb
from tuki.sla.models import Service
from tuki.tickets.tests.test_browser_layout import PHONE, signed_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
DOCS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def _at(days_back: int, hour: int) -> datetime:
    day = timezone.localdate() - timedelta(days=days_back)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def seed(desk, catalogue) -> None:
    admin = desk.admin
    portal = Service.objects.create(name="Customer portal")
    catalogue.acme_agreement.services.add(portal, catalogue.email)
    for service in (catalogue.vpn, catalogue.email, portal):
        PublicService.objects.create(service=service)
    history = [
        (catalogue.vpn, 40, 9, 3, Impact.FULL, None),
        (catalogue.vpn, 12, 13, 2, Impact.PARTIAL, 50),
        (catalogue.email, 70, 10, 5, Impact.FULL, None),
        (catalogue.email, 5, 8, 1, Impact.PARTIAL, 30),
        (portal, 25, 14, 1, Impact.FULL, None),
    ]
    for service, back, hour, hours, impact, degradation in history:
        start = _at(back, hour)
        services.declare_outage(
            admin, service=service, starts_at=start, ends_at=start + timedelta(hours=hours),
            impact=impact, degradation=degradation, title=f"{service.name} disruption",
        )  # fmt: skip
    start = _at(60, 20)
    services.declare_outage(
        admin, service=portal, planned=True, starts_at=start, ends_at=start + timedelta(hours=3),
        title="Database upgrade",
    )  # fmt: skip
    services.declare_outage(
        admin, service=catalogue.vpn, starts_at=timezone.now() - timedelta(minutes=40),
        impact=Impact.PARTIAL, degradation=50, title="VPN connections are slow",
        notice="Connections from outside Finland take long to open. We are working on it.",
    )  # fmt: skip
    ahead = _at(-3, 18)
    services.declare_outage(
        admin, service=catalogue.email, planned=True, starts_at=ahead,
        ends_at=ahead + timedelta(hours=2), title="Mail server upgrade",
        notice="Mail is queued and delivered afterwards.",
    )  # fmt: skip
    cmdb.plan_maintenance(
        admin, catalogue.vpn_ci, starts_at=_at(-6, 20), ends_at=_at(-6, 22), reason="Firmware"
    )


WIDE = """(width) => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 1 && !e.parentElement.closest('.table-responsive'))
  .slice(0, 12).map(e => e.tagName + '#' + e.id + '.' + e.className + ':' + Math.round(e.getBoundingClientRect().right))"""


def _fits(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, page.evaluate(WIDE, width)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_status_page_and_availability_report(
    chromium, live_server, desk, catalogue, shoot, viewport, settings
):
    seed(desk, catalogue)
    width = viewport["width"]
    base = live_server.url

    requester = signed_in(chromium, base, desk.requester.email, viewport)
    requester.goto(f"{base}/portal/status/")
    requester.wait_for_selector(f"#status-service-{catalogue.vpn.pk}")
    assert requester.locator("section.card").count() == 3
    assert requester.locator(".status-notice").first.inner_text().startswith("VPN connections")
    bars = requester.locator(f"#status-service-{catalogue.vpn.pk} .status-bars .status-bar")
    assert bars.count() == 90
    box = bars.first.bounding_box()
    assert box is not None and box["width"] >= 1
    _fits(requester, width)
    shoot(requester, f"status-{width}")
    requester.screenshot(path=str(DOCS / f"status-page-{width}.png"), full_page=True)
    assert requester.errors == []

    agent = signed_in(chromium, base, desk.specialist.email, viewport)
    agent.goto(f"{base}/availability/?period=last_90&organisation={desk.acme.pk}")
    agent.wait_for_selector("#availability-table")
    assert agent.locator("#availability-table tbody tr").count() == 3
    _fits(agent, width)
    shoot(agent, f"report-{width}")
    agent.screenshot(path=str(DOCS / f"availability-report-{width}.png"), full_page=True)
    agent.locator(f"#service-{catalogue.vpn.pk} a").click()
    agent.wait_for_selector("#outage-list")
    _fits(agent, width)
    shoot(agent, f"service-{width}")
    agent.screenshot(path=str(DOCS / f"availability-service-{width}.png"), full_page=True)
    agent.locator("#outage-list button:has-text('End now')").click()
    agent.wait_for_selector(".alert-success")
    # choosing a date makes the period custom
    agent.goto(f"{base}/availability/")
    start = (timezone.localdate() - timedelta(days=10)).isoformat()
    agent.fill("#av-start", start)
    agent.click("#availability-filters button[type=submit]")
    agent.wait_for_url("**period=custom**")
    assert agent.locator("#av-start").input_value() == start
    assert agent.errors == []

    settings.STATUS_PAGE_PUBLIC = True
    visitor = chromium.new_context(viewport=viewport).new_page()
    visitor.goto(f"{base}/status/")
    visitor.wait_for_selector("#status-overall")
    assert visitor.locator("section.card").count() == 3
    shoot(visitor, f"public-{width}")
