"""Directories and SCIM in real Chromium, desktop and phone: an administrator sets up a
directory against a real slapd, tests the connection, maps a group and syncs; a directory
user signs in with their directory password; a SCIM provider's token is shown once."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.accounts.models import User
from tuki.identity.models import Directory, ScimProvider
from tuki.identity.tests import slapd as ds

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


def _page(browser: Any, size: tuple[int, int]) -> tuple[Any, list[str]]:
    page = browser.new_context(viewport={"width": size[0], "height": size[1]}).new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors


def _sign_in(page: Any, base: str, login: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", login)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"scrolls sideways: {width}px"


@pytest.mark.parametrize("screen", WIDTHS)
def test_an_administrator_sets_up_a_directory_and_its_people_sign_in(
    chromium, live_server, desk, slapd, shoot, screen
) -> None:
    from tuki.conftest import PASSWORD

    base = live_server.url
    page, errors = _page(chromium, WIDTHS[screen])
    _sign_in(page, base, desk.admin.email, PASSWORD)
    page.goto(f"{base}/console/")
    page.click("#section-identity")
    page.wait_for_selector("text=No directories yet.")
    shoot(page, f"identity-empty-{screen}")
    page.click("a[href$='/identity/directories/new/']")
    page.fill("#id_name", "Acme OpenLDAP")
    page.check("#id_is_active")
    page.fill("#id_urls", slapd.url)
    page.select_option("#id_security", "none")
    page.fill("#id_bind_dn", ds.ADMIN_DN)
    page.fill("#id_bind_password", ds.ADMIN_PASSWORD)
    page.fill("#id_user_base", f"ou=people,{ds.BASE}")
    page.fill("#id_organisation_attribute", "o")
    page.fill("#id_group_base", f"ou=groups,{ds.BASE}")
    shoot(page, f"directory-form-{screen}")
    page.click("#directory-form button[type=submit]")
    page.wait_for_selector("#connection")
    page.click("#connection button[type=submit]")
    page.wait_for_selector("#check-result.alert-success")
    _fits(page)
    shoot(page, f"directory-checked-{screen}")
    page.fill("#id_group_dn", f"cn=helpdesk,ou=groups,{ds.BASE}")
    page.fill("#id_roles", "agent")
    page.select_option("#id_support_group", label="Service Desk")
    page.click("#maps button[type=submit]:has-text('Add mapping')")
    page.wait_for_selector("#maps code")
    page.click("#sync button[type=submit]")
    page.wait_for_selector(".alert-success:has-text('Synced')")
    _fits(page)
    shoot(page, f"directory-synced-{screen}")
    assert User.objects.get(email="alice@acme.fi").is_agent
    assert Directory.objects.get().last_sync_ok

    # A person signs in with their directory password.
    person, person_errors = _page(chromium, WIDTHS[screen])
    _sign_in(person, base, "alice@acme.fi", ds.USER_PASSWORD)
    assert "/desk/" in person.url
    shoot(person, f"directory-user-signed-in-{screen}")

    # A SCIM provider: the token is shown once.
    page.goto(f"{base}/console/identity/")
    page.fill("#id_name", "Entra ID")
    page.click("button:has-text('Create and show the token')")
    page.wait_for_selector("#new-token")
    token = page.inner_text("#new-token code").strip()
    assert ScimProvider.hash(token) == ScimProvider.objects.get().digest
    _fits(page)
    shoot(page, f"scim-token-{screen}")
    assert errors == [] and person_errors == []
