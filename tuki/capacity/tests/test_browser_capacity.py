"""The capacity report and the CI panel in real Chromium at desktop and phone widths: an
agent opens /capacity/, sees the breach first, and the top item's panel with its charts.
Screenshots in docs/screenshots/capacity-*.png (and test-artifacts/screenshots/)."""

from __future__ import annotations

import importlib
import math
import random
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from tuki.capacity import services
from tuki.capacity.tests.conftest import send
from tuki.cmdb import services as cmdb_services
from tuki.cmdb.models import CIClass
from tuki.tickets.tests.test_browser_layout import PHONE, signed_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
DOCS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def standard_classes() -> None:
    """The seeded classes; a transactional test's flush (live_server) removes them."""
    seed = importlib.import_module("tuki.cmdb.migrations.0002_standard_classes")
    seed.seed(django_apps, None)


def world(desk):
    standard_classes()
    rng = random.Random(16)
    server = CIClass.objects.get(key="server")
    services.create_threshold(
        desk.admin, ci_class=server, metric="disk_used_pct", warning=80.0, critical=90.0
    )
    services.create_threshold(
        desk.admin, ci_class=server, metric="cpu_pct", warning=85.0, critical=95.0
    )
    now = timezone.now()
    start = now - timedelta(days=30)
    step = timedelta(hours=2)
    n = 30 * 12 + 1
    items = {}
    for name, disk0, growth in (
        ("db01", 66.0, 0.5),
        ("web01", 40.0, 0.8),
        ("files01", 55.0, 0.3),
        ("mail01", 30.0, 0.0),
    ):
        ci = cmdb_services.create_item(
            desk.admin,
            name=name,
            ci_class=server,
            hostname=f"{name}.example.com",
            support_group=desk.network_hel,
        )
        items[name] = ci
        disk = [disk0 + growth * i / 12 + rng.gauss(0, 0.6) for i in range(n)]
        for spike in (40, 41, 200):  # a log storm: Theil-Sen does not follow it
            disk[spike] = 97.0
        send(desk, ci, disk, start=start, step=step)
        cpu = [35 + 15 * math.sin(i / 12 * 2 * math.pi) + rng.gauss(0, 4) for i in range(n)]
        send(desk, ci, cpu, metric="cpu_pct", start=start, step=step)
    services.refresh_forecasts()
    return items


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_agent_reads_the_capacity_report_and_the_top_items_panel(
    chromium, live_server, desk, shoot, viewport
):
    world(desk)
    desk.lead.language = "en"  # the documentation's screenshots are in English
    desk.lead.save(update_fields=["language"])
    width = viewport["width"]
    page = signed_in(chromium, live_server.url, desk.lead.email, viewport)
    page.goto(f"{live_server.url}/capacity/")
    page.wait_for_selector("#capacity-report")
    page.wait_for_function("document.querySelectorAll('canvas[data-drawn]').length == 2")
    first = page.locator("#capacity-report tbody tr").first
    assert "db01" in first.inner_text() and "Warning" in first.inner_text()
    assert page.locator("#capacity-panel").inner_text().count("Days until warning") == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, f"report-{width}")
    page.screenshot(path=str(DOCS / f"capacity-report-{width}.png"), full_page=True)
    page.locator("#capacity-panel").screenshot(path=str(DOCS / f"capacity-panel-{width}.png"))
    ticket = page.locator("#capacity-panel a[href*='/desk/tickets/']").first
    ticket.click()
    page.wait_for_url("**/desk/tickets/**")
    assert page.errors == []
