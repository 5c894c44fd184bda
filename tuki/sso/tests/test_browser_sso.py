"""Single sign-on in real Chromium at desktop and phone widths, through real providers started
by the tests: the sign-in page's button, the provider's own sign-in page, back in Tuki as a
requester created just in time or an agent whose provider groups were mapped, and single
logout through the provider. Screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.accounts.models import User
from tuki.sso.models import IdentityProvider
from tuki.sso.tests.conftest import PASSWORD
from tuki.sso.tests.test_oidc import ISSUER_BEFORE_START
from tuki.sso.tests.test_saml import METADATA_BEFORE_START

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def new_page(browser: Any, viewport: dict[str, int], base: str) -> Any:
    """A page that collects console errors of Tuki's pages (the test providers' plain pages
    have no favicon, for one)."""
    page = browser.new_context(viewport=viewport).new_page()
    page.set_default_timeout(20_000)
    page.errors = []

    def collect(text: str) -> None:
        if page.url.startswith(base):
            page.errors.append(f"{page.url}: {text}")

    page.on("console", lambda m: m.type == "error" and collect(m.text))
    page.on("pageerror", lambda error: collect(str(error)))
    return page


def no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def sign_out(page: Any) -> None:
    """The menu's "Sign out" form (the same POST whether the menu is folded or not)."""
    page.locator("form[action='/logout/'] button").first.evaluate("b => b.form.submit()")


def idp_sign_in(page: Any, shoot: Any, username: str) -> None:
    page.wait_for_selector("#idp-username")
    page.fill("#idp-username", username)
    page.fill("#idp-password", PASSWORD)
    shoot(page, "provider-sign-in")
    page.click("#idp-submit")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_openid_connect_sign_in_mapping_and_logout(
    chromium: Any, live_server: Any, desk: Any, shoot: Any, start_oidc: Any, width: str
) -> None:
    base = live_server.url
    provider = IdentityProvider.objects.create(
        kind="oidc",
        name="Company ID",
        issuer=ISSUER_BEFORE_START,  # set to the running provider's below
        client_id="tuki-client",
        client_secret="tuki-secret-123",
        mappings="tuki-agents -> agent\nnetwork -> Network Helsinki",
    )
    idp = start_oidc(
        [f"{base}/sso/{provider.pk}/oidc/callback/"],
        post_logout_redirect_uris=[f"{base}/login/"],
    )
    provider.issuer = idp.issuer
    provider.save()
    page = new_page(chromium, WIDTHS[width], base)

    page.goto(f"{base}/login/")
    page.wait_for_selector(".sso-button")
    no_sideways_scroll(page)
    shoot(page, "sign-in-page")
    page.click("text=Sign in with Company ID")
    idp_sign_in(page, shoot, "anna")
    page.wait_for_url(f"{base}/portal/**")
    anna = User.objects.get(email="anna@acme.fi")
    assert anna.organisation == desk.acme and not anna.is_agent
    assert "Anna Acme" in page.content()
    no_sideways_scroll(page)
    shoot(page, "requester-created")

    sign_out(page)  # RP-initiated logout: through the provider's end-session endpoint, back
    page.wait_for_url(f"{base}/login/")
    shoot(page, "signed-out")

    # Olli is an agent at the provider: mapped to Tuki's agent role and Network Helsinki.
    desk.operator.support_groups.clear()
    User.objects.filter(pk=desk.operator.pk).update(is_agent=False)
    page.click("text=Sign in with Company ID")
    idp_sign_in(page, shoot, "olli")  # the provider's session ended: it asks again
    page.wait_for_url(f"{base}/desk/**")
    operator = User.objects.get(pk=desk.operator.pk)
    assert operator.is_agent and desk.network_hel in operator.support_groups.all()
    shoot(page, "agent-mapped")
    assert page.errors == []


@pytest.mark.parametrize("width", list(WIDTHS))
def test_saml_sign_in_through_the_company_form_and_single_logout(
    chromium: Any, live_server: Any, desk: Any, shoot: Any, start_saml: Any, width: str
) -> None:
    from django.test import Client

    base = live_server.url
    provider = IdentityProvider.objects.create(
        kind="saml",
        name="Acme SAML",
        metadata_xml=METADATA_BEFORE_START,  # the running IdP's URL replaces it below
        organisation=desk.acme,
        email_domains="acme.fi",
        email_attribute="mail",
        name_attribute="displayName",
        groups_attribute="isMemberOf",
    )
    host = base.split("://", 1)[1]
    sp_metadata = Client(HTTP_HOST=host).get(f"/sso/{provider.pk}/saml/metadata/").content.decode()
    idp = start_saml(sp_metadata)
    provider.metadata_xml = ""
    provider.metadata_url = f"{idp.base}/metadata"
    provider.save()
    page = new_page(chromium, WIDTHS[width], base)

    page.goto(f"{base}/login/")
    page.fill("#id_sso_email", "anna@acme.fi")
    shoot(page, "company-account")
    page.click("#sso-find button[type=submit]")
    idp_sign_in(page, shoot, "anna")
    page.wait_for_url(f"{base}/portal/**")
    assert User.objects.get(email="anna@acme.fi").organisation == desk.acme
    no_sideways_scroll(page)
    shoot(page, "requester-created")

    sign_out(page)  # SP-initiated SLO: LogoutRequest to the IdP, its LogoutResponse back
    page.wait_for_url(f"{base}/login/")
    assert "You are signed out of Acme SAML too." in page.content()
    shoot(page, "signed-out")
    assert idp.config and open(f"{idp.config['dir']}/logouts.txt").read().strip() == "anna@acme.fi"
    assert page.errors == []


@pytest.mark.parametrize("width", list(WIDTHS))
def test_console_set_up_and_test_the_connection(
    chromium: Any, live_server: Any, desk: Any, shoot: Any, start_oidc: Any, width: str
) -> None:
    from tuki.conftest import PASSWORD as TUKI_PASSWORD

    base = live_server.url
    idp = start_oidc([f"{base}/sso/1/oidc/callback/"])
    page = new_page(chromium, WIDTHS[width], base)
    page.goto(f"{base}/login/")
    page.fill("#id_username", desk.admin.email)
    page.fill("#id_password", TUKI_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/console/sso/")
    shoot(page, "providers-empty")
    page.click("text=OpenID Connect provider")
    page.fill("#id_name", "Keycloak")
    page.fill("#id_issuer", idp.issuer)
    page.fill("#id_client_id", "tuki-client")
    page.fill("#id_client_secret", "tuki-secret-123")
    page.fill("#id_mappings", "tuki-agents -> agent\nnetwork -> Network Helsinki")
    page.click("#provider-form button[type=submit]")
    page.wait_for_selector("#check-connection")
    page.click("#check-connection")
    page.wait_for_selector("#check-report")
    assert "Discovery document read" in page.inner_text("#check-report")
    no_sideways_scroll(page)
    shoot(page, "connection-tested")
    page.goto(f"{base}/console/sso/")
    assert "Keycloak" in page.content()
    shoot(page, "providers")
    assert page.errors == []
