"""The personal data pages in real Chromium at desktop and phone width: find a person, see
what is held, a refused confirmation, the erasure. Screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.accounts.models import User
from tuki.conftest import PASSWORD
from tuki.privacy.models import Erasure
from tuki.tickets import services

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_an_administrator_finds_and_erases_a_requester(
    chromium: Any, live_server: Any, desk: Any, shoot: Any, width: int
) -> None:
    services.create_ticket(desk.operator, title="VPN", requester=desk.requester)
    page = chromium.new_context(viewport={"width": width, "height": 900}).new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and "422" not in m.text else None,
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", desk.admin.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)

    page.goto(f"{live_server.url}/privacy/")
    shoot(page, f"find-{width}")
    page.fill("#id_email", desk.requester.email)
    page.click("#find-person button[type=submit]")
    page.wait_for_selector("#export")
    shoot(page, f"person-{width}")

    page.fill("#id_confirm", "wrong@example.fi")
    page.click("form[action$='/erase/'] button[type=submit]")
    page.wait_for_selector(".invalid-feedback")
    page.fill("#id_confirm", desk.requester.email)
    page.click("form[action$='/erase/'] button[type=submit]")
    page.wait_for_selector("#erased")
    shoot(page, f"erased-{width}")
    assert Erasure.objects.get().person_id == desk.requester.pk
    assert not User.objects.get(pk=desk.requester.pk).is_active
    assert errors == []
