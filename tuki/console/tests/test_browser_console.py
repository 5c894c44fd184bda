"""The console in real Chromium at desktop and phone widths: the home and an SLA policy with
its deadline preview; no console errors (CSP), no sideways scrolling on a phone.
Screenshots land in test-artifacts/screenshots/ (docs/screenshots/ keeps the final ones)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tuki.conftest import PASSWORD
from tuki.sla.models import SlaTarget

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


def sign_in(browser: Any, base: str, email: str, size: tuple[int, int]) -> tuple[Any, list[str]]:
    page = browser.new_context(viewport={"width": size[0], "height": size[1]}).new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page, errors


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"scrolls sideways: {width}px"


@pytest.mark.parametrize("screen", WIDTHS)
def test_an_administrator_opens_the_console_and_a_policys_deadlines(
    chromium, live_server, desk, sla, staff, shoot, screen
) -> None:
    SlaTarget.objects.filter(policy=sla.policy, priority=1).update(
        first_response_minutes=30, resolution_minutes=240
    )
    base = live_server.url
    page, errors = sign_in(chromium, base, staff.email, WIDTHS[screen])
    page.goto(f"{base}/console/")
    page.wait_for_selector("#section-sla_policies")
    _fits(page)
    shoot(page, f"console-home-{screen}")
    page.screenshot(path=str(DOCS / f"console-home-{screen}.png"), full_page=True)

    page.click("#section-sla_policies")
    page.wait_for_selector(f"#policy-{sla.policy.pk}")
    _fits(page)
    page.click(f"#policy-{sla.policy.pk} a")
    page.wait_for_selector("#deadline-preview")
    assert page.input_value("#id_t1_first_response_m") == "30"
    assert page.input_value("#id_t1_resolution_h") == "4"
    assert "Helsinki office" in page.inner_text("#deadline-preview")
    _fits(page)
    shoot(page, f"console-policy-{screen}")
    page.screenshot(path=str(DOCS / f"console-sla-policy-{screen}.png"), full_page=True)

    assert errors == []

    # A zero target is refused on its field (a 422 page), and nothing changes.
    page.fill("#id_t2_resolution_h", "0")
    page.fill("#id_t2_resolution_m", "0")
    page.click("button:has-text('Save policy')")
    page.wait_for_selector(".invalid-feedback")
    assert SlaTarget.objects.get(policy=sla.policy, priority=2).resolution_minutes == 480
