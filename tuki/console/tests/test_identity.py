"""The console's directory and SCIM pages: per role, saving, the connection test against a real
slapd, group mappings, a SCIM token shown once, query budgets."""

import pytest
from django.test import Client

from tuki.accounts.models import User
from tuki.console.tests.conftest import ALLOWED, REFUSED
from tuki.identity import services
from tuki.identity.models import Directory, DirectoryGroupMap, ScimGroup, ScimProvider
from tuki.identity.tests import slapd as ds
from tuki.identity.tests.conftest import slapd  # noqa: F401 - the LDAP server
from tuki.lib import crypto
from tuki.lib.testing import assert_same_count, query_budget


def _form(server=None, **extra):
    data = {
        "name": "Acme AD",
        "kind": "ad",
        "is_active": "on",
        "sign_in": "on",
        "sync_enabled": "on",
        "deactivate_missing": "on",
        "urls": server.url if server else "ldaps://dc1.acme.test",
        "security": "none" if server else "ldaps",
        "ca_certificate": "",
        "bind_dn": ds.ADMIN_DN,
        "bind_password": ds.ADMIN_PASSWORD,
        "user_base": f"ou=people,{ds.BASE}",
        "user_filter": "(objectClass=inetOrgPerson)",
        "login_attribute": "uid",
        "email_attribute": "mail",
        "name_attribute": "cn",
        "phone_attribute": "telephoneNumber",
        "organisation_attribute": "o",
        "id_attribute": "entryUUID",
        "group_base": f"ou=groups,{ds.BASE}",
        "group_filter": "(objectClass=groupOfNames)",
        "member_attribute": "member",
    }
    data.update(extra)
    return data


def _data():
    flags = ("is_active", "sign_in", "sync_enabled", "deactivate_missing")
    return {k: v for k, v in _form().items() if k not in flags}


@pytest.fixture
def directory(desk):
    return services.save_directory(desk.admin, Directory(), _data())


@pytest.fixture
def provider(desk):
    provider, _raw = services.create_scim_provider(desk.admin, {"name": "Entra ID"})
    return provider


@pytest.mark.parametrize("role", REFUSED)
def test_who_is_not_an_administrator_gets_404(desk, people, directory, provider, role):
    client = desk.client_for(people[role])
    group = ScimGroup.objects.create(provider=provider, display_name="Agents")
    group_map = DirectoryGroupMap.objects.create(
        directory=directory, group_dn="cn=x,dc=y", roles="agent"
    )
    pk = directory.pk
    for url in (
        "/console/identity/",
        "/console/identity/directories/new/",
        f"/console/identity/directories/{pk}/",
        f"/console/identity/scim/{provider.pk}/",
    ):
        assert client.get(url).status_code == 404
    for url in (
        "/console/identity/directories/new/",
        f"/console/identity/directories/{pk}/",
        f"/console/identity/directories/{pk}/check/",
        f"/console/identity/directories/{pk}/sync/",
        f"/console/identity/directories/{pk}/maps/",
        f"/console/identity/directory-maps/{group_map.pk}/remove/",
        f"/console/identity/directories/{pk}/delete/",
        "/console/identity/scim/new/",
        f"/console/identity/scim/{provider.pk}/token/",
        f"/console/identity/scim/{provider.pk}/active/",
        f"/console/identity/scim/{provider.pk}/delete/",
        f"/console/identity/scim-groups/{group.pk}/",
    ):
        assert (
            client.post(url, _form(name="Changed", group_dn="cn=z,dc=y", roles="admin")).status_code
            == 404
        )
    assert Directory.objects.get().name == "Acme AD"
    assert ScimProvider.objects.count() == 1
    assert DirectoryGroupMap.objects.count() == 1
    assert ScimGroup.objects.get().roles == ""


def test_anonymous_visitors_sign_in(desk, directory):
    response = Client().get(f"/console/identity/directories/{directory.pk}/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert Client().post("/console/identity/scim/new/", {"name": "x"}).status_code == 302
    assert not ScimProvider.objects.exists()


@pytest.mark.parametrize("role", ALLOWED)
def test_administrators_create_and_change_a_directory(desk, people, role):
    client = desk.client_for(people[role])
    assert client.get("/console/identity/").status_code == 200
    assert client.get("/console/identity/directories/new/").status_code == 200
    response = client.post("/console/identity/directories/new/", _form())
    assert response.status_code == 302
    directory = Directory.objects.get()
    assert directory.bind_password == ds.ADMIN_PASSWORD
    assert ds.ADMIN_PASSWORD not in client.get(response.url).content.decode()
    # An empty password keeps the stored one; a bad URL is a field error.
    assert client.post(response.url, _form(bind_password="", name="Acme")).status_code == 302
    directory.refresh_from_db()
    assert directory.name == "Acme" and directory.bind_password == ds.ADMIN_PASSWORD
    bad = client.post(response.url, _form(urls="http://dc1"))
    assert bad.status_code == 422
    assert "not an ldap://" in bad.content.decode()


def test_the_bind_password_is_encrypted_at_rest(desk, directory):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select bind_password from identity_directory where id = %s", [directory.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith(crypto.PREFIX) and ds.ADMIN_PASSWORD not in stored


def test_the_connection_test_and_the_sync(desk, people, slapd):  # noqa: F811
    client = desk.client_for(people["staff"])
    client.post("/console/identity/directories/new/", _form(slapd))
    directory = Directory.objects.get()
    response = client.post(f"/console/identity/directories/{directory.pk}/check/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "alert-success" in page and "cn=helpdesk" in page
    client.post(
        f"/console/identity/directories/{directory.pk}/", _form(slapd, bind_password="wrong")
    )
    page = client.post(f"/console/identity/directories/{directory.pk}/check/").content.decode()
    assert "alert-danger" in page and "refused the bind" in page
    client.post(f"/console/identity/directories/{directory.pk}/", _form(slapd))
    response = client.post(
        f"/console/identity/directories/{directory.pk}/maps/",
        {
            "group_dn": f"cn=helpdesk,ou=groups,{ds.BASE}",
            "roles": "agent",
            "support_group": desk.service_desk.pk,
        },
    )
    assert response.status_code == 302
    bad = client.post(
        f"/console/identity/directories/{directory.pk}/maps/",
        {"group_dn": "cn=x,dc=y", "roles": "boss"},
    )
    assert bad.status_code == 422 and "Unknown roles" in bad.content.decode()
    response = client.post(f"/console/identity/directories/{directory.pk}/sync/", follow=True)
    assert "Synced" in response.content.decode()
    assert User.objects.get(email="alice@acme.fi").is_agent
    group_map = DirectoryGroupMap.objects.get()
    client.post(f"/console/identity/directory-maps/{group_map.pk}/remove/")
    assert not DirectoryGroupMap.objects.exists()
    client.post(f"/console/identity/directories/{directory.pk}/delete/")
    assert not Directory.objects.exists()
    alice = User.objects.get(email="alice@acme.fi")
    assert alice.is_active and not alice.is_agent  # stays; what the directory gave goes


def test_a_scim_token_is_shown_once(desk, people):
    client = desk.client_for(people["admin"])
    response = client.post(
        "/console/identity/scim/new/", {"name": "Okta", "organisation": desk.acme.pk}
    )
    assert response.status_code == 201
    page = response.content.decode()
    provider = ScimProvider.objects.get()
    start = page.index(ScimProvider.PREFIX)
    raw = page[start : start + 60].split("<")[0].strip()
    assert ScimProvider.hash(raw) == provider.digest
    later = client.get(f"/console/identity/scim/{provider.pk}/").content.decode()
    assert raw not in later
    assert client.post("/console/identity/scim/new/", {"name": "okta"}).status_code == 422
    fresh = client.post(f"/console/identity/scim/{provider.pk}/token/").content.decode()
    assert raw not in fresh and "shown only once" in fresh
    client.post(f"/console/identity/scim/{provider.pk}/active/", {"active": "0"})
    provider.refresh_from_db()
    assert not provider.is_active
    group = ScimGroup.objects.create(provider=provider, display_name="Agents")
    client.post(
        f"/console/identity/scim-groups/{group.pk}/",
        {f"g{group.pk}-roles": "agent", f"g{group.pk}-support_group": desk.apps.pk},
    )
    group.refresh_from_db()
    assert group.roles == "agent" and group.support_group == desk.apps
    client.post(f"/console/identity/scim/{provider.pk}/delete/")
    assert not ScimProvider.objects.exists()


def test_the_pages_have_query_budgets(desk, people, directory, provider):
    client = desk.client_for(people["staff"])
    client.get("/console/identity/")
    with query_budget(8) as few:
        client.get("/console/identity/")
    for n in range(6):
        services.create_scim_provider(desk.admin, {"name": f"P{n}", "organisation": desk.acme})
        services.save_directory(desk.admin, Directory(), dict(_data(), name=f"D{n}"))
    with query_budget(8) as many:
        client.get("/console/identity/")
    assert_same_count(few, many)
    for n in range(3):
        DirectoryGroupMap.objects.create(
            directory=directory, group_dn=f"cn=g{n},dc=y", support_group=desk.apps
        )
        ScimGroup.objects.create(provider=provider, display_name=f"G{n}", support_group=desk.apps)
    with query_budget(12):
        client.get(f"/console/identity/directories/{directory.pk}/")
    with query_budget(12):
        client.get(f"/console/identity/scim/{provider.pk}/")


def test_a_persons_page_says_where_their_roles_come_from(desk, people):
    from tuki.accounts import services as accounts

    client = desk.client_for(people["staff"])
    assert 'id="grants"' not in client.get(f"/console/people/{desk.operator.pk}/").content.decode()
    accounts.grant_from_source(desk.operator, "ldap:4", roles=["agent"], groups=[desk.apps])
    page = client.get(f"/console/people/{desk.operator.pk}/").content.decode()
    assert 'id="grants"' in page and "ldap:4" in page and "by hand" in page
