"""The report pages in real Chromium at desktop and phone widths: a desk manager opens the
overview, an indicator with its chart and table, and clicks a number to its tickets.
Screenshots in docs/screenshots/reports-*.png (and test-artifacts/screenshots/)."""

from __future__ import annotations

import io
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tuki.reports.tests.pages import build_world
from tuki.tickets.tests.test_browser_layout import PHONE, signed_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
DOCS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def _no_capture(**kwargs):
    return nullcontext()


def _days() -> str:
    today = timezone.localdate()
    start, end = today - timedelta(days=6), today + timedelta(days=1)
    return f"period=custom&start={start.isoformat()}&end={end.isoformat()}"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_manager_reads_a_chart_and_opens_the_tickets_behind_a_number(
    chromium, live_server, desk, shoot, viewport
):
    world = build_world(desk, _no_capture)
    world.manager.language = "en"  # the documentation's screenshots are in English
    world.manager.save(update_fields=["language"])
    width = viewport["width"]
    page = signed_in(chromium, live_server.url, world.manager.email, viewport)
    page.goto(f"{live_server.url}/reports/?{_days()}")
    page.wait_for_selector("#report-cards")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, f"overview-{width}")
    page.screenshot(path=str(DOCS / f"reports-overview-{width}.png"), full_page=True)

    page.goto(f"{live_server.url}/reports/volume/?{_days()}&by=channel")
    page.wait_for_selector("#breakdown-table")
    page.wait_for_function("document.querySelectorAll('canvas[data-drawn]').length == 2")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, f"indicator-{width}")
    page.screenshot(path=str(DOCS / f"reports-chart-{width}.png"), full_page=True)

    if viewport is DESKTOP:  # the Excel button downloads the breakdown, numbers as numbers
        with page.expect_download() as download:
            page.click("#report-xlsx")
        assert download.value.suggested_filename.endswith(".xlsx")
        sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
        rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row and row[0]}
        assert rows["Email"][1] == 2 and rows["Total"][1] == 5

    email = page.locator("#breakdown-table tbody tr", has_text="Email").locator("a.report-number")
    number = int(email.inner_text())
    email.click()
    page.wait_for_selector("#drill-tickets")
    assert page.locator("#drill-tickets tbody tr").count() == number == 2
    shoot(page, f"tickets-{width}")
    page.screenshot(path=str(DOCS / f"reports-tickets-{width}.png"), full_page=True)
    page.locator("#drill-tickets tbody a").first.click()
    page.wait_for_url("**/desk/tickets/**")
    assert page.errors == []
