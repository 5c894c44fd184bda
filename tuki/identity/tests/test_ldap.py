"""LDAP / Active Directory against a real slapd: the connection test's errors, sign-in with a
directory password, and the sync of people and group memberships."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tuki.accounts import services as accounts
from tuki.accounts.models import ApiToken, MembershipGrant, User
from tuki.identity import services, sync
from tuki.identity.backend import authenticate_with
from tuki.identity.models import Directory, DirectoryGroupMap
from tuki.identity.tests import slapd as ds


def make_directory(server, **extra):
    values = {
        "name": "Acme directory",
        "kind": Directory.Kind.ACTIVE_DIRECTORY,
        "urls": server.url,
        "security": Directory.Security.NONE,
        "bind_dn": ds.ADMIN_DN,
        "bind_password": ds.ADMIN_PASSWORD,
        "user_base": f"ou=people,{ds.BASE}",
        "user_filter": "(objectClass=inetOrgPerson)",
        "login_attribute": "uid",
        "organisation_attribute": "o",
        "group_base": f"ou=groups,{ds.BASE}",
        "is_active": True,
    }
    values.update(extra)
    return Directory.objects.create(**values)


@pytest.fixture
def directory(desk, slapd):
    found = make_directory(slapd)
    DirectoryGroupMap.objects.create(
        directory=found,
        group_dn=f"cn=helpdesk,ou=groups,{ds.BASE}",
        roles="agent",
        support_group=desk.service_desk,
    )
    DirectoryGroupMap.objects.create(
        directory=found, group_dn=f"cn=network,ou=groups,{ds.BASE}", support_group=desk.network_hel
    )
    return found


class TestConnectionCheck:
    def test_good_settings_find_people_and_groups(self, desk, directory):
        result = services.check_connection(desk.admin, directory)
        assert result.ok, result.message
        assert any("cn=helpdesk" in d for d in result.details)

    def test_nothing_listens(self, desk, slapd):
        found = make_directory(slapd, urls=f"ldap://127.0.0.1:{ds.free_port()}")
        result = services.check_connection(desk.admin, found)
        assert not result.ok
        assert "Cannot reach" in result.message

    def test_bind_refused(self, desk, slapd):
        found = make_directory(slapd, bind_password="wrong")
        result = services.check_connection(desk.admin, found)
        assert not result.ok
        assert "refused the bind" in result.message

    def test_an_untrusted_certificate_says_so(self, desk, slapd):
        found = make_directory(slapd, urls=slapd.tls_url, security=Directory.Security.LDAPS)
        result = services.check_connection(desk.admin, found)
        assert not result.ok
        assert "not trusted" in result.message

    def test_the_ca_certificate_makes_ldaps_work(self, desk, slapd):
        found = make_directory(
            slapd,
            urls=slapd.tls_url,
            security=Directory.Security.LDAPS,
            ca_certificate=slapd.ca_pem,
        )
        result = services.check_connection(desk.admin, found)
        assert result.ok, result.message

    def test_starttls_with_the_ca(self, desk, slapd):
        found = make_directory(
            slapd,
            urls=f"ldap://localhost:{slapd.port}",
            security=Directory.Security.STARTTLS,
            ca_certificate=slapd.ca_pem,
        )
        result = services.check_connection(desk.admin, found)
        assert result.ok, result.message

    def test_a_search_that_finds_nobody(self, desk, slapd):
        found = make_directory(slapd, user_filter="(uid=nobody-here)")
        result = services.check_connection(desk.admin, found)
        assert not result.ok
        assert "found nobody" in result.message

    def test_a_missing_attribute(self, desk, slapd):
        found = make_directory(slapd, email_attribute="proxyAddresses")
        result = services.check_connection(desk.admin, found)
        assert not result.ok
        assert "proxyAddresses" in result.message

    def test_a_missing_base(self, desk, slapd):
        found = make_directory(slapd, user_base=f"ou=nowhere,{ds.BASE}")
        result = services.check_connection(desk.admin, found)
        assert not result.ok
        assert "does not exist" in result.message

    def test_only_administrators(self, desk, directory):
        with pytest.raises(PermissionDenied):
            services.check_connection(desk.operator, directory)


class TestSignIn:
    def test_a_directory_password_signs_in_and_brings_roles(self, desk, directory):
        client = Client()
        response = client.post("/login/", {"username": "alice", "password": ds.USER_PASSWORD})
        assert response.status_code == 302, response.content
        alice = User.objects.get(email="alice@acme.fi")
        assert alice.full_name == "Alice Agent"
        assert alice.phone == "+358 40 100 2000"
        assert alice.organisation == desk.acme
        assert alice.is_agent
        assert set(alice.support_groups.values_list("name", flat=True)) == {
            "Service Desk",
            "Network Helsinki",
        }
        assert client.get("/").url == "/desk/"

    def test_a_wrong_password_is_refused(self, desk, directory):
        assert authenticate_with(directory, "alice", "nope") is None
        assert authenticate_with(directory, "alice", "") is None
        assert not User.objects.filter(email="alice@acme.fi").exists()

    def test_a_disabled_account_cannot_sign_in(self, desk, directory):
        assert authenticate_with(directory, "carol", ds.USER_PASSWORD) is None

    def test_filter_characters_in_the_login_do_not_widen_the_search(self, desk, directory):
        assert authenticate_with(directory, "*", ds.USER_PASSWORD) is None
        assert authenticate_with(directory, "al*", ds.USER_PASSWORD) is None


class TestSync:
    def test_people_and_groups_arrive_idempotently(self, desk, directory):
        report = sync.sync_directory(directory)
        assert report.ok, report.error
        assert report.created == 2  # alice, bob; carol is disabled; nomail is skipped
        assert any("uid=nomail" in s for s in report.skipped)
        bob = User.objects.get(email="bob@acme.fi")
        assert not bob.is_agent  # network gives a group only: held back until bob is an agent
        assert not bob.support_groups.exists()
        assert not User.objects.filter(email="carol@acme.fi").exists()
        again = sync.sync_directory(directory)
        assert (again.created, again.updated, again.deactivated) == (0, 0, 0)
        directory.refresh_from_db()
        assert directory.last_sync_ok

    def test_a_manual_grant_survives_the_sync(self, desk, directory):
        sync.sync_directory(directory)
        bob = User.objects.get(email="bob@acme.fi")
        accounts.save_user(desk.admin, bob, {"is_agent": True})
        sync.sync_directory(directory)
        bob.refresh_from_db()
        assert bob.is_agent
        assert set(bob.support_groups.values_list("name", flat=True)) == {"Network Helsinki"}
        assert set(MembershipGrant.objects.filter(user=bob).values_list("source", flat=True)) == {
            "manual",
            directory.source,
        }

    def test_leaving_a_group_takes_its_grants_back(self, desk, directory, slapd):
        sync.sync_directory(directory)
        alice = User.objects.get(email="alice@acme.fi")
        assert alice.is_agent
        slapd.ldif(
            f"dn: cn=helpdesk,ou=groups,{ds.BASE}\nchangetype: modify\n"
            f"replace: member\nmember: uid=bob,ou=people,{ds.BASE}\n"
        )
        try:
            sync.sync_directory(directory)
            alice.refresh_from_db()
            assert not alice.is_agent
            assert not alice.support_groups.exists()
            bob = User.objects.get(email="bob@acme.fi")
            assert bob.is_agent
            assert set(bob.support_groups.values_list("name", flat=True)) == {
                "Service Desk",
                "Network Helsinki",
            }
        finally:
            slapd.ldif(
                f"dn: cn=helpdesk,ou=groups,{ds.BASE}\nchangetype: modify\n"
                f"replace: member\nmember: uid=alice,ou=people,{ds.BASE}\n"
            )

    def test_disabled_or_gone_people_lose_access_at_the_next_sync(self, desk, directory, slapd):
        sync.sync_directory(directory)
        alice = User.objects.get(email="alice@acme.fi")
        bob = User.objects.get(email="bob@acme.fi")
        browser = desk.client_for(alice)
        assert browser.get("/preferences/").status_code == 200
        _token, raw = ApiToken.mint(alice)
        slapd.ldif(
            f"dn: uid=alice,ou=people,{ds.BASE}\nchangetype: modify\n"
            "replace: userAccountControl\nuserAccountControl: 514\n"
        )
        # bob leaves the directory's reach: the filter no longer finds him.
        directory.user_filter = "(&(objectClass=inetOrgPerson)(!(uid=bob)))"
        directory.save()
        try:
            report = sync.sync_directory(directory)
            assert report.deactivated == 2, report.text()
            alice.refresh_from_db()
            bob.refresh_from_db()
            assert not alice.is_active and not bob.is_active
            assert browser.get("/preferences/").status_code == 302
            bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
            assert Client().get("/api/v1/users/me", **bearer).status_code == 401
            assert User.objects.filter(email="alice@acme.fi").exists()  # never deleted
        finally:
            slapd.ldif(
                f"dn: uid=alice,ou=people,{ds.BASE}\nchangetype: modify\n"
                "replace: userAccountControl\nuserAccountControl: 512\n"
            )
        directory.user_filter = "(objectClass=inetOrgPerson)"
        directory.save()
        report = sync.sync_directory(directory)
        assert report.reactivated == 2
        alice.refresh_from_db()
        assert alice.is_active

    def test_an_administrator_deactivation_is_not_undone(self, desk, directory):
        sync.sync_directory(directory)
        bob = User.objects.get(email="bob@acme.fi")
        accounts.save_user(desk.admin, bob, {"is_active": False})
        sync.sync_directory(directory)
        bob.refresh_from_db()
        assert not bob.is_active

    def test_a_search_finding_nobody_changes_nothing(self, desk, directory):
        sync.sync_directory(directory)
        directory.user_filter = "(uid=nobody-here)"
        directory.save()
        report = sync.sync_directory(directory)
        assert not report.ok
        assert User.objects.filter(email="alice@acme.fi", is_active=True).exists()

    def test_an_unreachable_directory_is_reported(self, desk, slapd):
        found = make_directory(slapd, urls=f"ldap://127.0.0.1:{ds.free_port()}")
        report = sync.sync_directory(found)
        assert not report.ok
        found.refresh_from_db()
        assert not found.last_sync_ok and "Cannot reach" in found.last_sync_report

    def test_the_periodic_job_syncs_active_directories(self, desk, directory):
        from tuki.identity import jobs

        assert jobs.sync_due_directories() == 1  # the tests' immediate task backend runs it
        assert User.objects.filter(email="alice@acme.fi").exists()
        assert jobs.sync_due_directories() == 0  # synced within the period


class TestWithinAMinute:
    def test_the_job_takes_access_away_once_the_period_has_passed(self, desk, directory, slapd):
        from datetime import timedelta

        from django.utils import timezone

        from tuki.identity import jobs

        sync.sync_directory(directory)
        alice = User.objects.get(email="alice@acme.fi")
        browser = desk.client_for(alice)
        slapd.ldif(
            f"dn: uid=alice,ou=people,{ds.BASE}\nchangetype: modify\n"
            "replace: userAccountControl\nuserAccountControl: 514\n"
        )
        try:
            assert jobs.sync_due_directories() == 0  # synced less than a minute ago
            Directory.objects.filter(pk=directory.pk).update(
                last_sync_at=timezone.now() - timedelta(seconds=60)
            )
            assert jobs.sync_due_directories() == 1
            assert browser.get("/preferences/").status_code == 302
            alice.refresh_from_db()
            assert not alice.is_active
        finally:
            slapd.ldif(
                f"dn: uid=alice,ou=people,{ds.BASE}\nchangetype: modify\n"
                "replace: userAccountControl\nuserAccountControl: 512\n"
            )

    def test_a_superuser_is_never_taken_over_by_address(self, desk, directory, slapd):
        User.objects.filter(pk=desk.admin.pk).update(email="bob@acme.fi")
        report = sync.sync_directory(directory)
        assert any("superuser" in s for s in report.skipped)
        assert authenticate_with(directory, "bob", ds.USER_PASSWORD) is None
