"""The release board in real Chromium: columns side by side on a desktop, stacked on a phone,
no console error under the strict CSP; the ticket page's release section loads and its stage
button moves the release."""

from __future__ import annotations

import pytest

from tuki.releases.models import Stage
from tuki.releases.tests.conftest import fresh, make_release
from tuki.tickets.tests.test_browser_layout import DESKTOP, PHONE, box, signed_in

pytestmark = pytest.mark.browser


def test_the_board_at_desktop_and_phone_width(chromium, live_server, desk, shoot):
    make_release(desk, "Spring release")
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = signed_in(chromium, live_server.url, desk.operator.email, viewport)
        page.goto(f"{live_server.url}/releases/")
        assert page.locator(".release-card").count() == 1
        build = box(page, "[data-stage=build]")
        test = box(page, "[data-stage=test]")
        if label == "desktop":
            assert test["y"] == build["y"] and test["x"] > build["x"]
        else:
            assert test["y"] >= build["y"] + build["height"]
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        shoot(page, f"board-{label}")
        assert page.errors == []


def test_the_ticket_section_moves_the_stage(chromium, live_server, desk, shoot):
    release = make_release(desk, "Spring release")
    page = signed_in(chromium, live_server.url, desk.operator.email, DESKTOP)
    page.goto(f"{live_server.url}{fresh(release).ticket.get_absolute_url()}")
    page.wait_for_selector("#release-stage")
    assert page.inner_text("#release-stage") == str(Stage.BUILD.label)
    page.click("button[data-stage=test]")
    page.locator("#release-stage", has_text=str(Stage.TEST.label)).wait_for()
    assert page.inner_text("#release-stage") == str(Stage.TEST.label)
    assert fresh(release).stage == Stage.TEST
    shoot(page, "section")
    assert page.errors == []
