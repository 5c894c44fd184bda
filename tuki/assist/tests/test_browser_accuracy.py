"""The accuracy page in real Chromium at desktop and phone widths: an administrator opens it
from the reports, reads each kind's figures, switches the period and sets the threshold.
Screenshots in test-artifacts/screenshots/<test>/."""

from __future__ import annotations

import pytest

from tuki.assist import services
from tuki.assist.models import AssistSettings, Kind
from tuki.assist.tests.conftest import Log
from tuki.assist.tests.test_services import history  # noqa: F401  # the fixture
from tuki.tickets.tests.test_browser_layout import DESKTOP, PHONE, signed_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_administrator_reads_the_accuracy_and_sets_the_threshold(
    chromium,
    live_server,
    log: Log,
    history,  # noqa: F811  # the fixture
    shoot,
    viewport,
):
    assert services.train(Kind.GROUP) is not None
    width = viewport["width"]
    page = signed_in(chromium, live_server.url, log.desk.admin.email, viewport)
    page.goto(f"{live_server.url}/reports/")
    page.click("#assist-accuracy-link")
    page.wait_for_selector("#kind-group")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.locator('#kind-group [data-figure="avoided"]').inner_text() == "1"
    assert page.locator('#kind-group [data-figure="held-top1"]').count() == 1
    shoot(page, f"accuracy-{width}")

    page.click("#accuracy-period a[href='?days=90']")
    page.wait_for_url("**/assist/accuracy/?days=90")
    assert page.locator('#kind-group [data-figure="shown"]').inner_text() == "7"

    page.fill("#id_routing_threshold", "2")
    page.click("#threshold-form button[type=submit]")
    page.wait_for_selector("#id_routing_threshold.is-invalid")
    shoot(page, f"threshold-error-{width}")
    page.fill("#id_routing_threshold", "0.8")
    page.click("#threshold-form button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert AssistSettings.load().routing_threshold == 0.8
    shoot(page, f"threshold-saved-{width}")
    # The refused threshold's page is a 422, which Chromium logs: the only error allowed.
    assert [e for e in page.errors if "status of 422" not in e] == []
