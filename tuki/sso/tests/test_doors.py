"""The public doors of single sign-on, as every role and anonymously: they are the same for
everybody (a signed-in person may sign in again as someone else through a provider); a
disabled or unknown provider is a 404. The sign-in page's budget with providers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tuki.lib.testing import query_budget
from tuki.sso.models import IdentityProvider, SamlRequest
from tuki.sso.tests.test_console import _metadata_with

ROLES = ("anonymous", "requester", "other_agent", "operator", "admin")


def _client(desk: Any, role: str) -> Client:
    return Client() if role == "anonymous" else desk.client_for(getattr(desk, role))


@pytest.fixture
def saml_provider(desk: Any, tmp_path: Any) -> IdentityProvider:
    from tuki.sso.tests.conftest import make_certificate

    _key, cert = make_certificate(tmp_path, "idp")
    return IdentityProvider.objects.create(
        kind="saml", name="Company SAML", metadata_xml=_metadata_with(cert.read_text())
    )


@pytest.mark.parametrize("role", ROLES)
def test_doors_for_every_role(desk: Any, saml_provider: Any, role: str) -> None:
    client = _client(desk, role)
    pk = saml_provider.pk
    response = client.get(f"/sso/{pk}/start/?next=https://evil.example/")
    assert response.status_code == 302
    assert response["Location"].startswith("https://idp.example.com/sso?SAMLRequest=")
    assert SamlRequest.objects.get(provider=saml_provider).next_url == ""  # no open redirect
    assert client.get(f"/sso/{pk}/saml/metadata/").status_code == 200
    assert client.post(f"/sso/{pk}/saml/acs/", {}).status_code == 400
    assert client.post(f"/sso/{pk}/saml/acs/", {"SAMLResponse": "bm9uc2Vuc2U="}).status_code == 400
    assert client.get(f"/sso/{pk}/saml/sls/").status_code == 302
    assert client.get(f"/sso/{pk}/oidc/callback/").status_code == 404  # not an OIDC provider
    assert client.post("/sso/find/", {"email": "x@nowhere.test"}).status_code == 302
    saml_provider.enabled = False
    saml_provider.save()
    for url in (f"/sso/{pk}/start/", f"/sso/{pk}/saml/metadata/", f"/sso/{pk}/saml/sls/"):
        assert client.get(url).status_code == 404
    assert client.get("/sso/999999/start/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_an_unreachable_oidc_provider_is_explained(desk: Any, role: str) -> None:
    provider = IdentityProvider.objects.create(
        kind="oidc", name="Down", issuer="http://127.0.0.1:9/o", client_id="x"
    )
    response = _client(desk, role).get(f"/sso/{provider.pk}/start/")
    assert response.status_code == 400
    assert "could not be reached" in response.content.decode()
    response = _client(desk, role).get(f"/sso/{provider.pk}/oidc/callback/?code=x&state=y")
    assert response.status_code == 400


def test_the_sign_in_page_shows_desk_wide_buttons_and_the_company_form(
    desk: Any, saml_provider: Any
) -> None:
    IdentityProvider.objects.create(
        kind="oidc",
        name="Acme ID",
        issuer="http://x/o",
        client_id="x",
        organisation=desk.acme,
        email_domains="acme.fi",
    )
    IdentityProvider.objects.create(
        kind="oidc", name="Off", issuer="http://x/o", client_id="x", enabled=False
    )
    client = Client()
    client.get("/login/")
    with query_budget(4):
        page = client.get("/login/?next=/portal/").content.decode()
    assert "Sign in with Company SAML" in page
    assert "Acme ID" not in page and "Off" not in page  # organisation providers go by domain
    assert 'id="sso-find"' in page
    assert f"/sso/{saml_provider.pk}/start/?next=/portal/" in page


def test_without_providers_the_sign_in_page_is_as_before(db: Any) -> None:
    page = Client().get("/login/").content.decode()
    assert "sso-options" not in page
