"""sign_in and the mappings without a provider process: refusals, domains, organisations."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.accounts.models import User
from tuki.lib.errors import ServiceError
from tuki.sso import services
from tuki.sso.models import IdentityProvider
from tuki.sso.oidc import identity_from_claims


@pytest.fixture
def provider(desk: Any) -> IdentityProvider:
    return IdentityProvider.objects.create(
        kind="oidc",
        name="ID",
        issuer="http://x/o",
        client_id="x",
        mappings="agents -> agent\nadmins -> admin\nnet -> Network Helsinki",
    )


def test_unverified_email_is_refused(provider: Any) -> None:
    identity = identity_from_claims(provider, {"email": "new@acme.fi", "email_verified": False})
    with pytest.raises(ServiceError) as refused:
        services.sign_in(provider, identity)
    assert refused.value.code == "unverified_email"
    assert not User.objects.filter(email="new@acme.fi").exists()


def test_no_account_when_creation_is_off(provider: Any) -> None:
    provider.create_users = False
    provider.save()
    with pytest.raises(ServiceError) as refused:
        services.sign_in(provider, services.Identity(email="new@acme.fi"))
    assert refused.value.code == "no_account"


def test_deactivated_people_stay_out(desk: Any, provider: Any) -> None:
    User.objects.filter(pk=desk.requester.pk).update(is_active=False)
    with pytest.raises(ServiceError) as refused:
        services.sign_in(provider, services.Identity(email=desk.requester.email))
    assert refused.value.code == "inactive"


def test_an_organisation_provider_never_signs_in_a_superuser_or_another_organisation(
    desk: Any,
) -> None:
    acme = IdentityProvider.objects.create(
        kind="oidc",
        name="Acme",
        issuer="http://x/o",
        client_id="x",
        organisation=desk.acme,
        email_domains="acme.fi, tuki.test",
    )
    for email in (desk.admin.email, desk.outsider.email):
        with pytest.raises(ServiceError):
            services.sign_in(acme, services.Identity(email=email))
    assert services.sign_in(acme, services.Identity(email="MAIJA@acme.fi")) == desk.requester


def test_mappings_grant_roles_and_groups_absent_groups_touch_nothing(
    desk: Any, provider: Any
) -> None:
    user = services.sign_in(
        provider, services.Identity(email="new@acme.fi", groups=["agents", "net", "other"])
    )
    user.refresh_from_db()
    assert user.is_agent and not user.is_staff
    assert list(user.support_groups.all()) == [desk.network_hel]
    assert services.apply_mappings(provider, user, None) is None  # the claim did not arrive


def test_manual_roles_survive_an_sso_sign_in(desk: Any, provider: Any) -> None:
    """An agent whose provider groups map to nothing keeps the agent role an admin gave."""
    services.sign_in(provider, services.Identity(email=desk.operator.email, groups=[]))
    operator = User.objects.get(pk=desk.operator.pk)
    assert operator.is_agent and desk.service_desk in operator.support_groups.all()


def test_mappings_are_parsed(desk: Any) -> None:
    parsed = services.parse_mappings("# comment\n\nCN=A,OU=B -> admin\nx->Network Helsinki\n")
    assert [(m.value, m.role, m.group) for m in parsed] == [
        ("CN=A,OU=B", "admin", None),
        ("x", None, desk.network_hel),
    ]
