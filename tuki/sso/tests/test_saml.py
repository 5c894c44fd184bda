"""SAML 2.0 sign-in against a real IdP (pysaml2's server in a child process)."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import time_machine
from django.test import Client

from tuki.accounts.models import User
from tuki.sso.models import IdentityProvider
from tuki.sso.tests.conftest import PASSWORD, path_of, saml_idp_sign_in

pytestmark = pytest.mark.slow


# The provider row is made before the local SAML IdP starts (the IdP is given Tuki's metadata
# for this row); the running IdP's metadata URL then replaces this. Never parsed.
METADATA_BEFORE_START = "<not-started-yet/>"


def saml_provider(**extra: Any) -> IdentityProvider:
    values: dict[str, Any] = {
        "kind": "saml",
        "name": "Company SAML",
        "metadata_xml": METADATA_BEFORE_START,
        "email_attribute": "mail",
        "name_attribute": "displayName",
        "groups_attribute": "isMemberOf",
        "mappings": "tuki-agents -> agent\nnetwork -> Network Helsinki",
    }
    values.update(extra)
    return IdentityProvider.objects.create(**values)


def running_idp(start_saml: Any, **extra: Any) -> tuple[IdentityProvider, Any]:
    provider = saml_provider()
    sp_metadata = Client().get(f"/sso/{provider.pk}/saml/metadata/").content.decode()
    idp = start_saml(sp_metadata, **extra)
    provider.metadata_xml = ""
    provider.metadata_url = f"{idp.base}/metadata"
    provider.save()
    return provider, idp


def sign_in_through(client: Client, provider: IdentityProvider, username: str) -> Any:
    response = client.get(f"/sso/{provider.pk}/start/?next=/preferences/")
    assert response.status_code == 302, response.content[:800]
    action, fields = saml_idp_sign_in(response["Location"], username, PASSWORD)
    assert action.startswith("http://testserver/")
    return client.post(path_of(action), fields)


def test_sign_in_jit_mapping_and_logout(desk: Any, start_saml: Any) -> None:
    provider, idp = running_idp(start_saml)
    client = Client()
    response = sign_in_through(client, provider, "anna")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/preferences/"
    anna = User.objects.get(email="anna@acme.fi")
    assert anna.organisation == desk.acme and anna.full_name == "Anna Acme"
    assert client.session["sso"]["name_id"] == "anna@acme.fi"

    desk.operator.support_groups.clear()
    agent = Client()
    assert sign_in_through(agent, provider, "olli").status_code == 302
    operator = User.objects.get(pk=desk.operator.pk)
    assert operator.is_agent and desk.network_hel in operator.support_groups.all()

    # SP-initiated single logout: a LogoutRequest to the IdP, its LogoutResponse back.
    response = client.post("/logout/")
    assert response.status_code == 200  # a page going on to the IdP (CSP form-action)
    assert response.context["url"].startswith(f"{idp.base}/slo/redirect?SAMLRequest=")
    back = requests.get(response.context["url"], allow_redirects=False, timeout=20)
    assert back.headers["Location"].startswith(f"http://testserver/sso/{provider.pk}/saml/sls/")
    response = client.get(path_of(back.headers["Location"]))
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_missing_attribute_is_explained(desk: Any, start_saml: Any) -> None:
    provider, _idp = running_idp(start_saml, omit=["mail"], opaque_name_id=True)
    provider.email_attribute = "email"
    provider.save()
    response = sign_in_through(Client(), provider, "anna")
    assert response.status_code == 400
    text = response.content.decode()
    assert "no email address" in text and "isMemberOf" in text


def test_wrong_signing_key_is_refused(desk: Any, start_saml: Any, tmp_path: Any) -> None:
    from tuki.sso.tests.conftest import make_certificate

    key, cert = make_certificate(tmp_path, "rogue")
    provider, _idp = running_idp(start_saml, sign_key_file=str(key), sign_cert_file=str(cert))
    response = sign_in_through(Client(), provider, "anna")
    assert response.status_code == 400
    assert "signature" in response.content.decode().lower()
    assert not User.objects.filter(email="anna@acme.fi").exists()


def test_clock_skew_is_explained(desk: Any, start_saml: Any) -> None:
    provider, _idp = running_idp(start_saml)
    client = Client()
    response = client.get(f"/sso/{provider.pk}/start/")
    action, fields = saml_idp_sign_in(response["Location"], "anna", PASSWORD)
    import datetime

    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=2)):
        response = client.post(path_of(action), fields)
    assert response.status_code == 400
    assert "clock" in response.content.decode()


def test_a_response_is_accepted_once(desk: Any, start_saml: Any) -> None:
    """The IdP's POST comes without Tuki's session cookie (SameSite=Lax, another site): the
    request it answers is recorded in the database and consumed by the first use."""
    provider, _idp = running_idp(start_saml)
    response = Client().get(f"/sso/{provider.pk}/start/?next=/portal/")
    action, fields = saml_idp_sign_in(response["Location"], "anna", PASSWORD)
    first = Client().post(path_of(action), fields)  # no session of the start
    assert first.status_code == 302 and first["Location"] == "/portal/"
    replay = Client().post(path_of(action), fields)
    assert replay.status_code == 400
    assert "answers no sign-in started here" in replay.content.decode()
