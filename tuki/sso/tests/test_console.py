"""The console's set-up page of identity providers: who may use it, saving, the encrypted
client secret, "test the connection" against real providers, query budgets."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from tuki.audit.models import AuditEntry
from tuki.console.tests.conftest import ALLOWED, REFUSED
from tuki.lib import crypto
from tuki.lib.testing import assert_same_count, query_budget
from tuki.sso.models import IdentityProvider
from tuki.sso.tests.conftest import make_certificate


def _form(**extra: Any) -> dict[str, Any]:
    data = {
        "kind": "oidc",
        "name": "Entra ID",
        "enabled": "on",
        "issuer": "https://login.microsoftonline.com/tenant/v2.0",
        "client_id": "abc",
        "client_secret": "s3cret-value",
        "scopes": "openid email profile",
        "email_attribute": "email",
        "name_attribute": "name",
        "groups_attribute": "groups",
        "mappings": "tuki-agents -> agent\nnet -> Network Helsinki",
        "create_users": "on",
    }
    data.update(extra)
    return data


@pytest.fixture
def provider(desk: Any) -> IdentityProvider:
    return IdentityProvider.objects.create(
        kind="oidc",
        name="Okta",
        issuer="http://127.0.0.1:9/o",
        client_id="x",
        client_secret="old-secret",
    )


@pytest.mark.parametrize("role", REFUSED)
def test_who_is_not_an_administrator_gets_404(
    desk: Any, people: Any, provider: Any, role: str
) -> None:
    client = desk.client_for(people[role])
    pk = provider.pk
    assert client.get("/console/sso/").status_code == 404
    assert client.get("/console/sso/new/").status_code == 404
    assert client.get(f"/console/sso/{pk}/").status_code == 404
    assert client.post("/console/sso/new/", _form()).status_code == 404
    assert client.post(f"/console/sso/{pk}/", _form()).status_code == 404
    assert client.post(f"/console/sso/{pk}/check/").status_code == 404
    assert client.post(f"/console/sso/{pk}/delete/").status_code == 404
    provider.refresh_from_db()
    assert provider.name == "Okta"
    assert IdentityProvider.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client: Any, provider: Any) -> None:
    for url in ("/console/sso/", f"/console/sso/{provider.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("role", ALLOWED)
def test_administrators_see_providers_but_never_the_secret(
    desk: Any, people: Any, provider: Any, role: str
) -> None:
    client = desk.client_for(people[role])
    assert "Okta" in client.get("/console/sso/").content.decode()
    text = client.get(f"/console/sso/{provider.pk}/").content.decode()
    assert "old-secret" not in text and "A secret is stored." in text
    assert f"/sso/{provider.pk}/oidc/callback/" in text  # the redirect URI to register
    assert client.get("/console/sso/new/?kind=saml").status_code == 200


def test_a_provider_is_saved_with_its_secret_encrypted(desk: Any, people: Any) -> None:
    client = desk.client_for(people["staff"])
    response = client.post(
        "/console/sso/new/", _form(organisation=desk.acme.pk, email_domains="Acme.fi, @acme.com")
    )
    assert response.status_code == 302
    saved = IdentityProvider.objects.get(name="Entra ID")
    assert saved.client_secret == "s3cret-value" and saved.organisation == desk.acme
    assert saved.email_domains == "acme.fi, acme.com"
    with connection.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM sso_identityprovider WHERE id = %s", [saved.pk])
        stored = cursor.fetchone()[0]
    assert crypto.is_encrypted(stored) and "s3cret" not in stored
    entry = AuditEntry.objects.filter(object_id=str(saved.pk)).order_by("-pk").first()
    assert entry is not None and "s3cret" not in str(entry.__dict__)  # audited, secret masked
    # Saving again without a secret keeps the stored one.
    assert (
        client.post(f"/console/sso/{saved.pk}/", _form(client_secret="", name="Entra")).status_code
        == 302
    )
    saved.refresh_from_db()
    assert saved.name == "Entra" and saved.client_secret == "s3cret-value"


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"mappings": "tuki-agents agent"}, "mappings", "Line 1"),
        ({"mappings": "x -> No Such Group"}, "mappings", "no support group"),
        ({"scopes": "email"}, "scopes", "openid"),
        ({"issuer": ""}, "issuer", "issuer"),
        ({"kind": "saml"}, "metadata_url", "metadata"),
    ],
)
def test_wrong_settings_are_shown_at_their_field(
    desk: Any, people: Any, extra: Any, field: str, message: str
) -> None:
    response = desk.client_for(people["staff"]).post("/console/sso/new/", _form(**extra))
    assert response.status_code == 422
    assert message in str(response.context["form"].errors[field])


def test_an_organisation_provider_needs_domains(desk: Any, people: Any) -> None:
    response = desk.client_for(people["staff"]).post(
        "/console/sso/new/", _form(organisation=desk.acme.pk)
    )
    assert response.status_code == 422
    assert "email_domains" in response.context["form"].errors


def test_delete(desk: Any, people: Any, provider: Any) -> None:
    response = desk.client_for(people["staff"]).post(f"/console/sso/{provider.pk}/delete/")
    assert response.status_code == 302
    assert not IdentityProvider.objects.exists()


def test_the_pages_have_a_query_budget(desk: Any, people: Any, provider: Any) -> None:
    client = desk.client_for(people["staff"])
    client.get("/console/sso/")
    with query_budget(6) as few:
        client.get("/console/sso/")
    for number in range(5):
        IdentityProvider.objects.create(
            kind="saml", name=f"P{number}", organisation=desk.acme, email_domains="acme.fi"
        )
    with query_budget(6) as many:
        client.get("/console/sso/")
    assert_same_count(few, many)
    with query_budget(8):
        client.get(f"/console/sso/{provider.pk}/")


def test_unreachable_provider_is_reported(desk: Any, people: Any, provider: Any) -> None:
    response = desk.client_for(people["staff"]).post(f"/console/sso/{provider.pk}/check/")
    report = response.context["report"]
    assert not report.ok
    assert "could not be read" in report.checks[0].message


@pytest.mark.slow
def test_check_a_real_oidc_provider(desk: Any, people: Any, start_oidc: Any) -> None:
    idp = start_oidc(["http://testserver/sso/1/oidc/callback/"])
    provider = IdentityProvider.objects.create(
        kind="oidc", name="DOT", issuer=idp.issuer, client_id="tuki-client"
    )
    response = desk.client_for(people["staff"]).post(f"/console/sso/{provider.pk}/check/")
    report = response.context["report"]
    text = " ".join(c.message for c in report.checks)
    assert report.ok, text
    assert "Discovery document read" in text and "signing key published" in text
    assert "end-session endpoint" in text and "clocks agree" in text
    # The issuer the provider names itself differs from the configured one: said clearly.
    provider.issuer = idp.issuer + "x"
    provider.save()
    report = (
        desk.client_for(people["staff"])
        .post(f"/console/sso/{provider.pk}/check/")
        .context["report"]
    )
    assert not report.ok


@pytest.mark.slow
def test_check_a_real_saml_idp_and_its_certificates(
    desk: Any, people: Any, start_saml: Any, tmp_path: Any
) -> None:
    provider = IdentityProvider.objects.create(kind="saml", name="SAML", metadata_xml="<x/>")
    idp = start_saml(
        desk.client_for(people["staff"]).get(f"/sso/{provider.pk}/saml/metadata/").content.decode()
    )
    provider.metadata_xml = ""
    provider.metadata_url = f"{idp.base}/metadata"
    provider.save()
    client = desk.client_for(people["staff"])
    report = client.post(f"/console/sso/{provider.pk}/check/").context["report"]
    text = " ".join(c.message for c in report.checks)
    assert report.ok, text
    assert "Metadata read" in text and "valid until" in text and "logout endpoint" in text

    # A certificate pinned in the form that is not the IdP's: wrong certificate.
    _key, other = make_certificate(tmp_path, "other")
    provider.certificate = other.read_text()
    provider.save()
    report = client.post(f"/console/sso/{provider.pk}/check/").context["report"]
    assert not report.ok
    assert any("not the one the IdP's metadata publishes" in c.message for c in report.checks)

    # An expired certificate in the metadata.
    _key, expired = make_certificate(tmp_path, "expired", days=30, start_days=-60)
    provider.certificate = ""
    provider.metadata_url = ""
    provider.metadata_xml = _metadata_with(expired.read_text())
    provider.save()
    report = client.post(f"/console/sso/{provider.pk}/check/").context["report"]
    assert any("expired on" in c.message and not c.ok for c in report.checks)


def _metadata_with(pem: str) -> str:
    body = "".join(pem.strip().splitlines()[1:-1])
    return f"""<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
 xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com/">
 <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
  <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
  <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
 </md:IDPSSODescriptor></md:EntityDescriptor>"""
