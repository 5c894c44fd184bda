"""A second live-server test: the seeded workflow survives the first one's database flush."""

import pytest

pytestmark = pytest.mark.browser


def test_a_requester_opens_the_portal_in_chromium(chromium, live_server, desk, incident, shoot):
    from tuki.conftest import PASSWORD

    page = chromium.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", desk.requester.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/portal/")
    assert incident.title in page.content()
    # Bootstrap's stylesheet is served: the body uses its font stack, not the browser's.
    assert "system-ui" in page.evaluate("getComputedStyle(document.body).fontFamily")
    shoot(page, "portal")
