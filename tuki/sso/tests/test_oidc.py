"""OpenID Connect sign-in against a real provider (django-oauth-toolkit in a child process)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tuki.accounts.models import User
from tuki.sso import services
from tuki.sso.models import IdentityProvider
from tuki.sso.tests.conftest import PASSWORD, idp_sign_in, path_of

pytestmark = pytest.mark.slow

CALLBACK = "http://testserver/sso/{pk}/oidc/callback/"
# The provider row is made before the local OpenID provider starts (its callback URL carries
# the row's id); each test then sets the running provider's issuer. Never fetched (.invalid).
ISSUER_BEFORE_START = "http://not-started-yet.invalid"


def make_provider(issuer: str, **extra: Any) -> IdentityProvider:
    values: dict[str, Any] = {
        "kind": "oidc",
        "name": "Company ID",
        "issuer": issuer,
        "client_id": "tuki-client",
        "client_secret": "tuki-secret-123",
        "mappings": "tuki-agents -> agent\nnetwork -> Network Helsinki",
    }
    values.update(extra)
    return IdentityProvider.objects.create(**values)


def sign_in_through(client: Client, provider: IdentityProvider, username: str) -> Any:
    response = client.get(f"/sso/{provider.pk}/start/?next=/preferences/")
    assert response.status_code == 302, response.content[:500]
    callback = idp_sign_in(response["Location"], username, PASSWORD, "http://testserver/")
    return client.get(path_of(callback))


def test_jit_requester_and_mapped_agent(desk: Any, start_oidc: Any) -> None:
    provider = make_provider(ISSUER_BEFORE_START)
    idp = start_oidc([CALLBACK.format(pk=provider.pk)])
    provider.issuer = idp.issuer
    provider.save()

    client = Client()
    response = sign_in_through(client, provider, "anna")
    assert response.status_code == 302 and response["Location"] == "/preferences/"
    anna = User.objects.get(email="anna@acme.fi")
    assert anna.full_name == "Anna Acme"
    assert anna.organisation == desk.acme  # from the address's domain
    assert not anna.is_agent and not anna.has_usable_password()
    assert client.session["sso"]["provider"] == provider.pk
    assert client.session["sso"]["id_token"]
    assert client.session["sso_mfa"] is False

    # An existing agent: the provider's groups map to the agent role and Network Helsinki.
    desk.operator.support_groups.clear()
    other = Client()
    response = sign_in_through(other, provider, "olli")
    assert response.status_code == 302
    operator = User.objects.get(pk=desk.operator.pk)
    assert operator.is_agent
    assert desk.network_hel in operator.support_groups.all()
    assert other.session["sso_mfa"] is True  # amr mfa, the provider is trusted for it


def test_missing_email_claim_is_explained(desk: Any, start_oidc: Any) -> None:
    provider = make_provider(ISSUER_BEFORE_START)
    idp = start_oidc([CALLBACK.format(pk=provider.pk)], omit=["email"])
    provider.issuer = idp.issuer
    provider.save()
    response = sign_in_through(Client(), provider, "anna")
    assert response.status_code == 400
    text = response.content.decode()
    assert "no email address" in text and "groups" in text  # what arrived is listed


def test_expired_id_token_is_a_clock_problem(desk: Any, start_oidc: Any) -> None:
    provider = make_provider(ISSUER_BEFORE_START)
    idp = start_oidc([CALLBACK.format(pk=provider.pk)], id_token_seconds=-600)
    provider.issuer = idp.issuer
    provider.save()
    response = sign_in_through(Client(), provider, "anna")
    assert response.status_code == 400
    assert "clock" in response.content.decode()
    assert not User.objects.filter(email="anna@acme.fi").exists()


def test_organisation_provider_signs_in_only_its_domain(desk: Any, start_oidc: Any) -> None:
    provider = make_provider(
        ISSUER_BEFORE_START, organisation=desk.globex, email_domains="globex.ro"
    )
    idp = start_oidc([CALLBACK.format(pk=provider.pk)])
    provider.issuer = idp.issuer
    provider.save()
    response = sign_in_through(Client(), provider, "anna")  # anna@acme.fi
    assert response.status_code == 400
    assert "may not sign in addresses of acme.fi" in response.content.decode()


def test_logout_goes_to_the_end_session_endpoint(desk: Any, start_oidc: Any) -> None:
    provider = make_provider(ISSUER_BEFORE_START)
    idp = start_oidc(
        [CALLBACK.format(pk=provider.pk)], post_logout_redirect_uris=["http://testserver/login/"]
    )
    provider.issuer = idp.issuer
    provider.save()
    client = Client()
    sign_in_through(client, provider, "anna")
    response = client.post("/logout/")
    assert response.status_code == 200  # a page going on to the provider (CSP form-action)
    url = response.context["url"]
    assert url.startswith(f"{idp.issuer}/logout/") and "id_token_hint=" in url
    assert "_auth_user_id" not in client.session


def test_email_routes_to_the_organisation_provider(desk: Any) -> None:
    provider = IdentityProvider.objects.create(
        kind="oidc",
        name="Globex",
        issuer="http://127.0.0.1:9/o",
        client_id="x",
        organisation=desk.globex,
        email_domains="globex.ro",
    )
    client = Client()
    response = client.post("/sso/find/", {"email": "someone@GLOBEX.ro", "next": "/portal/"})
    assert response.context["url"] == f"/sso/{provider.pk}/start/?next=%2Fportal%2F"
    response = client.post("/sso/find/", {"email": "someone@example.com"})
    assert response["Location"] == "/login/"
    assert services.provider_for_email("x@globex.ro") == provider
