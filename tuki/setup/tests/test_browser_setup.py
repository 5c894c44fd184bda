"""The first run in real Chromium: an empty install, the set-up page at desktop and phone
width, the token from the file, and the new administrator lands in the workspace.
Screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.accounts.models import SupportGroup, User
from tuki.conftest import ensure_workflow
from tuki.setup import state

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_the_first_run_from_an_empty_database(
    chromium: Any,
    live_server: Any,
    transactional_db: None,
    settings: Any,
    tmp_path: Any,
    shoot: Any,
    width: int,
) -> None:
    settings.VAR_DIR = tmp_path
    ensure_workflow()
    page = chromium.new_context(viewport={"width": width, "height": 900}).new_page()
    errors: list[str] = []
    # Console errors and CSP violations fail the test; the refused form's 422 is expected.
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and "422" not in m.text else None,
    )

    page.goto(live_server.url + "/")
    page.wait_for_selector("#setup-form")
    assert page.url.endswith("/setup/")
    shoot(page, f"setup-{width}")

    page.fill("#id_token", "not the token")
    page.fill("#id_admin_name", "Aino Admin")
    page.fill("#id_admin_email", "aino@example.fi")
    page.fill("#id_password1", "a long enough passphrase 7")
    page.fill("#id_password2", "a long enough passphrase 7")
    page.select_option("#id_time_zone", "Europe/Helsinki")
    page.fill("#id_holiday_country", "FI")
    page.click("#setup-form button[type=submit]")
    page.wait_for_selector("#id_token.is-invalid")
    shoot(page, f"wrong-token-{width}")
    assert not User.objects.exists()

    page.fill("#id_token", (tmp_path / "setup-token").read_text().strip())
    page.fill("#id_password1", "a long enough passphrase 7")
    page.fill("#id_password2", "a long enough passphrase 7")
    page.click("#setup-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/desk/**")
    shoot(page, f"workspace-{width}")
    assert User.objects.get().is_superuser
    assert SupportGroup.objects.filter(tier=1).exists()
    assert not state.token_path().exists()
    assert errors == []
