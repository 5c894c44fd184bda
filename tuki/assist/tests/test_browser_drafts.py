"""Reply drafts in real Chromium at desktop and phone widths: an agent opens a ticket, inserts
a draft copied from a similar resolved ticket into the reply box, then asks the local model
(a real HTTP server on this machine, test_llm.py) for one and inserts that. Screenshots in
test-artifacts/screenshots/<test>/."""

from __future__ import annotations

import pytest

from tuki.assist.tests.test_drafts import FIX, current  # noqa: F401  # the fixture
from tuki.assist.tests.test_llm import ANSWER, ModelServer, model  # noqa: F401  # fixtures
from tuki.conftest import Desk
from tuki.tickets.models import Ticket
from tuki.tickets.tests.test_browser_layout import DESKTOP, PHONE, signed_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_agent_inserts_a_draft_and_one_the_local_model_wrote(
    chromium,
    live_server,
    desk: Desk,
    current: Ticket,  # noqa: F811  # the fixture
    model: ModelServer,  # noqa: F811  # the fixture
    shoot,
    viewport,
):
    width = viewport["width"]
    page = signed_in(chromium, live_server.url, desk.other_agent.email, viewport)
    page.goto(f"{live_server.url}{current.get_absolute_url()}")
    first = page.locator("#drafts-section .assist-draft").first
    first.wait_for()
    assert FIX in first.inner_text()
    first.scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, f"drafts-{width}")

    first.locator("[data-kb-insert]").click()
    assert page.input_value("#id_body") == FIX

    page.click("#model-draft button")
    page.wait_for_selector("#model-draft-text")
    assert "renew the client certificate" in page.inner_text("#model-draft-text")
    page.locator("#model-draft").scroll_into_view_if_needed()
    shoot(page, f"model-draft-{width}")
    page.click("#model-draft [data-kb-insert]")
    assert page.input_value("#id_body") == f"{FIX}\n\n{ANSWER}"
    assert len(model.received) == 1
    assert page.errors == []
