"""The console's workflow pages in real Chromium: the transition matrix, a refused removal
listing the tickets it would strand, categories in Finnish; at desktop and phone widths.
Screenshots land in test-artifacts/screenshots/ (copies in docs/screenshots/)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tuki.conftest import ARTIFACTS, PASSWORD
from tuki.tickets import workflows
from tuki.tickets.models import Status, StatusTransition, Ticket

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def sign_in(browser: Any, base: str, email: str, width: int, height: int) -> Any:
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def snap(page: Any, name: str) -> None:
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, DOCS / f"{name}.png")


@pytest.mark.parametrize("width,height,suffix", [(1366, 900, ""), (390, 844, "-phone")])
def test_matrix_refusal_and_finnish_categories(
    chromium, live_server, desk, incident: Ticket, width: int, height: int, suffix: str
) -> None:
    base = live_server.url
    page = sign_in(chromium, base, desk.admin.email, width, height)
    page.goto(f"{base}/desk/console/workflows/?kind=incident")
    page.wait_for_selector("#transition-matrix")
    snap(page, f"workflows-matrix{suffix}")

    # Untick every way out of "New", where the incident is: refused, the ticket listed.
    new = Status.objects.get(key="new")
    for box in page.query_selector_all(f"#transition-matrix input[value^='{new.pk}-']"):
        box.uncheck()
    page.click("button:has-text('Save transitions')")
    page.wait_for_selector("#stranded")
    assert incident.number in page.inner_text("#stranded")
    assert StatusTransition.objects.filter(kind="incident", from_status=new).exists()
    snap(page, f"workflows-refused{suffix}")

    # Categories in Finnish.
    network = desk.vpn.parent
    workflows.save_category(
        desk.admin,
        network,
        name="Network",
        names={"fi": "Verkko", "ro": "Rețea"},
        parent=None,
        default_group=desk.network_hel,
        is_active=True,
    )
    workflows.save_category(
        desk.admin,
        desk.vpn,
        name="VPN",
        names={"fi": "VPN-yhteys"},
        parent=network,
        default_group=desk.network_hel,
        is_active=True,
    )
    type(desk.admin).objects.filter(pk=desk.admin.pk).update(language="fi")
    page.goto(f"{base}/desk/console/categories/")
    page.wait_for_selector("#category-tree")
    assert "Verkko › VPN-yhteys" in page.inner_text("#category-tree")
    snap(page, f"workflows-categories-fi{suffix}")
    page.goto(f"{base}/desk/console/priorities/")
    page.wait_for_selector("#priority-matrix")
    snap(page, f"workflows-priorities-fi{suffix}")
