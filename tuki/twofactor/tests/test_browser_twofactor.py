"""Second factors in real Chromium at desktop and phone widths: an authenticator app added
from the preferences (the code computed from the key read off the page) and used to sign
in; a passkey registered and used with Chromium's virtual authenticator (the DevTools
WebAuthn domain). WebAuthn needs a secure context: http://localhost is one, so the live
server is reached as localhost and the relying party ID is "localhost" (derived from the
host, as when TUKI_WEBAUTHN_RP_ID is unset). No page logs a console error."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest

from tuki.conftest import PASSWORD
from tuki.twofactor.models import Passkey, TotpDevice

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def localhost(url: str) -> str:
    parts = urlsplit(url)
    return f"http://localhost:{parts.port}"


def new_page(context: Any) -> Any:
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


@pytest.mark.parametrize("width", list(WIDTHS))
def test_an_authenticator_app_is_added_then_signs_in(chromium, live_server, desk, shoot, width):
    base = localhost(live_server.url)
    context = chromium.new_context(viewport=WIDTHS[width])
    page = new_page(context)
    sign_in(page, base, desk.operator.email)
    page.goto(f"{base}/preferences/")
    page.wait_for_selector("#twofactor-preferences")
    shoot(page, "preferences")
    page.click("#manage-factors")
    page.wait_for_selector("#totp-section")
    shoot(page, "second-factors-empty")
    page.click("#add-totp")
    page.wait_for_selector("#totp-qr svg")
    no_sideways_scroll(page)
    shoot(page, "add-app-qr")

    secret = page.get_attribute("#totp-secret", "data-secret")
    assert secret and page.inner_text("#totp-secret").replace(" ", "") == secret
    totp = pyotp.TOTP(secret)
    page.fill("#id_name", "Work phone")
    page.fill("#id_code", "000000" if totp.now() != "000000" else "111111")
    page.click("#totp-form button[type=submit]")
    page.wait_for_selector(".invalid-feedback")
    shoot(page, "wrong-code")
    page.fill("#id_code", totp.now())
    page.click("#totp-form button[type=submit]")
    page.wait_for_selector("#recovery-codes")
    assert len(page.query_selector_all(".recovery-code")) == 10
    assert "Work phone" in page.inner_text("#totp-devices")
    no_sideways_scroll(page)
    shoot(page, "recovery-codes")
    assert TotpDevice.objects.filter(user=desk.operator).count() == 1

    context.clear_cookies()
    sign_in(page, base, desk.operator.email)
    page.wait_for_url("**/twofactor/verify/")
    no_sideways_scroll(page)
    shoot(page, "verify")
    # The code of the next step: the one used to enrol is never accepted twice.
    page.fill("#id_code", totp.at(time.time() + 30))
    page.click("#code-form button[type=submit]")
    page.wait_for_url("**/desk/")
    shoot(page, "signed-in")
    # Chromium logs the wrong code's 422 (the status we mean to send) as a failed resource.
    assert [e for e in page.errors if "status of 422" not in e] == []
    context.close()


def _virtual_authenticator(context: Any, page: Any) -> tuple[Any, str]:
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    answer = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, answer["authenticatorId"]


@pytest.mark.parametrize("width", list(WIDTHS))
def test_passkeys_are_registered_used_and_removed(chromium, live_server, desk, shoot, width):
    base = localhost(live_server.url)
    context = chromium.new_context(viewport=WIDTHS[width])
    page = new_page(context)
    cdp, first = _virtual_authenticator(context, page)
    sign_in(page, base, desk.admin.email)
    page.goto(f"{base}/twofactor/")
    page.fill("#passkey-name", "Laptop")
    shoot(page, "before-passkey")
    page.click("#add-passkey")
    page.wait_for_selector("#recovery-codes")
    assert "Laptop" in page.inner_text("#passkeys")
    shoot(page, "passkey-added")

    # A second key, on another authenticator (the first refuses to hold two for one person).
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": first})
    _cdp, second = _virtual_authenticator(context, page)
    page.fill("#passkey-name", "Blue key")
    page.click("#add-passkey")
    page.wait_for_selector("#passkeys >> text=Blue key")
    assert Passkey.objects.filter(user=desk.admin).count() == 2
    no_sideways_scroll(page)
    shoot(page, "two-passkeys")

    context.clear_cookies()
    sign_in(page, base, desk.admin.email)
    page.wait_for_url("**/twofactor/verify/")
    shoot(page, "verify-passkey")
    page.click("#use-passkey")
    page.wait_for_url("**/desk/")
    shoot(page, "signed-in-with-passkey")
    blue = Passkey.objects.get(name="Blue key")
    assert blue.last_used_at is not None

    # Removing the unusable one (the sign-in just now counts as a recent second factor).
    page.goto(f"{base}/twofactor/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(
        f"form[action='/twofactor/passkeys/{Passkey.objects.get(name='Laptop').pk}/remove/'] button"
    )
    page.wait_for_selector(".alert-success")
    assert "Laptop" not in page.inner_text("#passkeys")
    shoot(page, "passkey-removed")
    assert page.errors == []
    context.close()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_policy_sends_an_agent_to_enrol_and_an_admin_resets(
    chromium, live_server, desk, shoot, width
):
    base = localhost(live_server.url)
    context = chromium.new_context(viewport=WIDTHS[width])
    page = new_page(context)
    sign_in(page, base, desk.admin.email)
    page.goto(f"{base}/console/")
    page.click("a[href='/twofactor/policy/']")
    page.check("#id_for_agents")
    page.check("#id_for_administrators")
    no_sideways_scroll(page)
    shoot(page, "policy")
    page.click("#policy-form button[type=submit]")
    page.wait_for_selector(".alert-success")
    # The administrator has no factor yet: this session goes on; the next sign-in enrols.

    agent = chromium.new_context(viewport=WIDTHS[width])
    other = new_page(agent)
    sign_in(other, base, desk.operator.email)
    other.wait_for_url("**/twofactor/")
    other.wait_for_selector("#must-enrol")
    shoot(other, "must-enrol")
    other.goto(f"{base}/desk/tickets/")
    other.wait_for_url("**/twofactor/")
    other.click("#add-totp")
    secret = other.get_attribute("#totp-secret", "data-secret")
    other.fill("#id_code", pyotp.TOTP(secret).now())
    other.click("#totp-form button[type=submit]")
    other.wait_for_selector("#recovery-codes")
    other.goto(f"{base}/desk/tickets/")
    other.wait_for_url("**/desk/tickets/")
    shoot(other, "enrolled")
    assert other.errors == []
    agent.close()

    page.goto(f"{base}/console/people/{desk.operator.pk}/")
    page.click("#edit-links a")
    page.wait_for_selector("#reset-factors")
    shoot(page, "person-factors")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#reset-factors")
    page.wait_for_selector(".alert-success")
    assert "No second factor." in page.inner_text("#person-factors")
    shoot(page, "reset")
    assert not TotpDevice.objects.filter(user=desk.operator).exists()
    assert page.errors == []
    context.close()
