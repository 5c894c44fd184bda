"""Membership sources: LDAP, SCIM, SSO and administrators grant roles and groups side by side;
a source that syncs takes back only what it granted."""

import pytest
from django.test import Client

from tuki.accounts import services
from tuki.accounts.models import ApiToken, MembershipGrant, User
from tuki.conftest import PASSWORD, make_user


def roles(user):
    user.refresh_from_db()
    return services._current_roles(user)


def groups(user):
    return set(user.support_groups.values_list("name", flat=True))


class TestGrantFromSource:
    def test_a_source_grants_and_takes_back_its_own(self, desk):
        person = make_user("new@acme.fi", "New Person")
        changes = services.grant_from_source(
            person, "ldap:1", roles=["agent"], groups=[desk.service_desk]
        )
        assert changes.roles_added == {"agent"}
        assert roles(person) == {"agent"}
        assert groups(person) == {"Service Desk"}
        services.grant_from_source(person, "ldap:1", roles=[], groups=[])
        assert roles(person) == set()
        assert groups(person) == set()

    def test_the_same_call_twice_changes_nothing(self, desk):
        person = make_user("new@acme.fi", "New Person")
        services.grant_from_source(person, "scim:2", roles=["agent"], groups=[desk.apps])
        again = services.grant_from_source(person, "scim:2", roles=["agent"], groups=[desk.apps])
        assert not again
        assert MembershipGrant.objects.filter(user=person).count() == 2

    def test_two_sources_never_wipe_each_other(self, desk):
        person = make_user("new@acme.fi", "New Person")
        services.grant_from_source(person, "ldap:1", roles=["agent"], groups=[desk.service_desk])
        services.grant_from_source(person, "sso:3", roles=["agent"], groups=[desk.apps])
        services.grant_from_source(person, "ldap:1", roles=[], groups=[])
        assert roles(person) == {"agent"}
        assert groups(person) == {"Applications"}
        services.revoke_source(person, "sso:3")
        assert roles(person) == set()
        assert groups(person) == set()

    def test_what_was_given_by_hand_stays(self, desk):
        # The operator was an agent in the Service Desk before any directory knew them.
        services.grant_from_source(desk.operator, "ldap:1", roles=["agent"], groups=[desk.apps])
        assert groups(desk.operator) == {"Service Desk", "Applications"}
        services.grant_from_source(desk.operator, "ldap:1", roles=[], groups=[])
        assert roles(desk.operator) == {"agent"}
        assert groups(desk.operator) == {"Service Desk"}
        assert set(
            MembershipGrant.objects.filter(user=desk.operator).values_list("source", flat=True)
        ) == {"manual"}

    def test_an_administrator_grant_after_a_sync_stays_after_the_next(self, desk):
        person = make_user("new@acme.fi", "New Person")
        services.grant_from_source(person, "ldap:1", roles=["agent"], groups=[desk.apps])
        services.save_user(
            desk.admin, person, {"sees_all_tickets": True}, groups=[desk.apps, desk.service_desk]
        )
        services.grant_from_source(person, "ldap:1", roles=[], groups=[])
        # The administrator gave the Service Desk and "sees all" by hand: both stay. Being an
        # agent came from the directory only and goes, and with it the group memberships.
        assert roles(person) == {"sees_all_tickets"}
        assert groups(person) == set()
        services.grant_from_source(person, "ldap:1", roles=["agent"])
        assert roles(person) == {"agent", "sees_all_tickets"}
        assert groups(person) == {"Service Desk"}

    def test_groups_wait_for_the_agent_role(self, desk):
        person = make_user("new@acme.fi", "New Person")
        services.grant_from_source(person, "scim:1", groups=[desk.apps])
        assert groups(person) == set()
        services.grant_from_source(person, "sso:1", roles=["agent"])
        assert groups(person) == {"Applications"}

    def test_none_leaves_that_part_alone(self, desk):
        person = make_user("new@acme.fi", "New Person")
        services.grant_from_source(person, "ldap:1", roles=["agent"], groups=[desk.apps])
        services.grant_from_source(person, "ldap:1", groups=[desk.service_desk])
        assert roles(person) == {"agent"}
        assert groups(person) == {"Service Desk"}

    def test_bad_sources_and_roles_are_refused(self, desk):
        with pytest.raises(ValueError):
            services.grant_from_source(desk.requester, "ldap", roles=[])
        with pytest.raises(ValueError):
            services.grant_from_source(desk.requester, "ldap:1", roles=["superuser"])


class TestDeactivation:
    def test_access_ends_at_once(self, desk):
        person = make_user("leaver@acme.fi", "Leaver", is_agent=True)
        browser = Client()
        assert (
            browser.post("/login/", {"username": person.email, "password": PASSWORD}).status_code
            == 302
        )
        assert browser.get("/preferences/").status_code == 200
        _token, raw = ApiToken.mint(person)
        bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        assert Client().get("/api/v1/users/me", **bearer).status_code == 200
        assert services.deactivate_user(person, "scim:1")
        assert browser.get("/preferences/").status_code == 302
        assert Client().get("/api/v1/users/me", **bearer).status_code == 401
        from django.contrib.sessions.models import Session

        assert not [
            s
            for s in Session.objects.all()
            if s.get_decoded().get("_auth_user_id") == str(person.pk)
        ]
        assert User.objects.filter(pk=person.pk, is_active=False).exists()

    def test_inactive_sessions_are_refused_even_if_left(self, desk):
        person = make_user("leaver@acme.fi", "Leaver")
        browser = desk.client_for(person)
        User.objects.filter(pk=person.pk).update(is_active=False)
        assert browser.get("/preferences/").status_code == 302

    def test_a_source_never_deactivates_a_superuser(self, desk):
        assert not services.deactivate_user(desk.admin, "ldap:1")
        desk.admin.refresh_from_db()
        assert desk.admin.is_active
