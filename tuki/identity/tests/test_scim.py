"""SCIM 2.0 with the requests Entra ID and Okta send, through Django's test client."""

import json

import pytest
from django.test import Client

from tuki.accounts import services as accounts
from tuki.accounts.models import ApiToken, User
from tuki.identity import services
from tuki.identity.models import ScimGroup, ScimUser

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"


class Scim:
    def __init__(self, raw):
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def _send(self, method, path, body=None):
        call = getattr(self.client, method)
        kwargs = dict(self.headers)
        if body is not None:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/scim+json"
        response = call(f"/scim/v2/{path}", **kwargs)
        return response.status_code, (json.loads(response.content) if response.content else None)

    def get(self, path):
        return self._send("get", path)

    def post(self, path, body):
        return self._send("post", path, body)

    def put(self, path, body):
        return self._send("put", path, body)

    def patch(self, path, body):
        return self._send("patch", path, body)

    def delete(self, path):
        return self._send("delete", path)


@pytest.fixture
def provider(desk):
    return services.create_scim_provider(
        desk.admin, {"name": "Entra ID", "organisation": desk.acme}
    )


@pytest.fixture
def scim(provider):
    return Scim(provider[1])


ENTRA_USER = {
    "schemas": [USER, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
    "externalId": "8e3d0a6b-1f2c-4d5e-9a7b-0c1d2e3f4a5b",
    "userName": "lea.laine@acme.fi",
    "active": True,
    "displayName": "Lea Laine",
    "emails": [{"primary": True, "type": "work", "value": "lea.laine@acme.fi"}],
    "meta": {"resourceType": "User"},
    "name": {"formatted": "Lea Laine", "familyName": "Laine", "givenName": "Lea"},
    "phoneNumbers": [{"type": "work", "value": "+358 9 123 456"}],
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "IT"},
}

OKTA_USER = {
    "schemas": [USER],
    "userName": "otto.okta@acme.fi",
    "name": {"givenName": "Otto", "familyName": "Okta"},
    "emails": [{"primary": True, "value": "otto.okta@acme.fi", "type": "work"}],
    "displayName": "Otto Okta",
    "locale": "en-US",
    "externalId": "00u1abcd",
    "groups": [],
    "password": "ignored-1234",
    "active": True,
}


class TestDoors:
    @pytest.mark.parametrize(
        "path",
        [
            "Users",
            "Users/1",
            "Groups",
            "Groups/1",
            "ServiceProviderConfig",
            "Schemas",
            "ResourceTypes",
        ],
    )
    def test_only_a_scim_token_opens(self, desk, provider, path):
        for who in ("requester", "operator", "admin"):
            response = desk.client_for(getattr(desk, who)).get(f"/scim/v2/{path}")
            assert response.status_code == 401
        assert Client().get(f"/scim/v2/{path}").status_code == 401
        _token, raw = ApiToken.mint(desk.admin)
        assert (
            Client().get(f"/scim/v2/{path}", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
        )
        assert (
            Client().get(f"/scim/v2/{path}", HTTP_AUTHORIZATION="Bearer tukiscim_wrong").status_code
            == 401
        )

    def test_an_inactive_provider_is_refused(self, desk, provider, scim):
        services.set_scim_provider_active(desk.admin, provider[0], False)
        assert scim.get("Users")[0] == 401

    def test_a_new_token_replaces_the_old(self, desk, provider, scim):
        raw = services.new_scim_token(desk.admin, provider[0])
        assert scim.get("Users")[0] == 401
        assert Scim(raw).get("Users")[0] == 200

    def test_a_provider_sees_only_its_own(self, desk, provider, scim):
        status, body = scim.post("Users", ENTRA_USER)
        _other, raw = services.create_scim_provider(desk.admin, {"name": "Okta"})
        other = Scim(raw)
        assert other.get(f"Users/{body['id']}")[0] == 404
        assert other.get("Users")[1]["totalResults"] == 0
        assert other.delete(f"Users/{body['id']}")[0] == 404

    def test_discovery(self, scim):
        status, body = scim.get("ServiceProviderConfig")
        assert status == 200 and body["patch"]["supported"]
        assert {r["id"] for r in scim.get("ResourceTypes")[1]["Resources"]} == {"User", "Group"}
        assert len(scim.get("Schemas")[1]["Resources"]) == 2


class TestEntraId:
    def test_the_provisioning_cycle(self, desk, scim):
        # Entra ID first looks for the user, then creates them.
        status, body = scim.get('Users?filter=userName+eq+"lea.laine@acme.fi"')
        assert status == 200 and body["totalResults"] == 0
        status, body = scim.post("Users", ENTRA_USER)
        assert status == 201, body
        lea = User.objects.get(email="lea.laine@acme.fi")
        assert (lea.full_name, lea.phone, lea.organisation) == (
            "Lea Laine",
            "+358 9 123 456",
            desk.acme,
        )
        assert not lea.has_usable_password()
        uid = body["id"]
        status, body = scim.get('Users?filter=userName eq "lea.laine@acme.fi"')
        assert body["totalResults"] == 1 and body["Resources"][0]["id"] == uid
        # Entra ID's PATCH: replace with paths, booleans as strings.
        status, body = scim.patch(
            f"Users/{uid}",
            {
                "schemas": [PATCH],
                "Operations": [
                    {"op": "Replace", "path": "displayName", "value": "Lea Laine-Virta"},
                    {
                        "op": "Replace",
                        "path": 'emails[type eq "work"].value',
                        "value": "lea.virta@acme.fi",
                    },
                    {
                        "op": "Add",
                        "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                        "value": "Finance",
                    },
                ],
            },
        )
        assert status == 200, body
        lea.refresh_from_db()
        assert (lea.full_name, lea.email) == ("Lea Laine-Virta", "lea.virta@acme.fi")
        # Sign-in sessions and tokens end the moment Entra ID disables the account.
        browser = desk.client_for(lea)
        assert browser.get("/preferences/").status_code == 200
        _token, raw = ApiToken.mint(lea)
        status, body = scim.patch(
            f"Users/{uid}",
            {
                "schemas": [PATCH],
                "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
            },
        )
        assert status == 200 and body["active"] is False
        lea.refresh_from_db()
        assert not lea.is_active
        assert browser.get("/preferences/").status_code == 302
        assert (
            Client().get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
        )
        status, body = scim.patch(
            f"Users/{uid}",
            {
                "schemas": [PATCH],
                "Operations": [{"op": "Replace", "path": "active", "value": True}],
            },
        )
        lea.refresh_from_db()
        assert lea.is_active
        # DELETE deactivates and unlinks; the person and their tickets stay.
        assert scim.delete(f"Users/{uid}")[0] == 204
        lea.refresh_from_db()
        assert not lea.is_active
        assert scim.get(f"Users/{uid}")[0] == 404

    def test_groups_grant_their_mapped_roles(self, desk, provider, scim):
        _s, lea = scim.post("Users", ENTRA_USER)
        _s, otto = scim.post("Users", OKTA_USER)
        status, group = scim.post(
            "Groups",
            {"schemas": [GROUP], "displayName": "Tuki agents", "externalId": "g-1", "members": []},
        )
        assert status == 201
        services.map_scim_group(
            desk.admin,
            ScimGroup.objects.get(pk=group["id"]),
            roles="agent",
            support_group=desk.service_desk,
        )
        status, _body = scim.patch(
            f"Groups/{group['id']}",
            {
                "schemas": [PATCH],
                "Operations": [
                    {
                        "op": "Add",
                        "path": "members",
                        "value": [{"value": lea["id"]}, {"value": otto["id"]}],
                    }
                ],
            },
        )
        assert status == 200
        person = User.objects.get(email="lea.laine@acme.fi")
        assert person.is_agent and person.support_groups.filter(pk=desk.service_desk.pk).exists()
        # Entra ID removes one member with a value list; Okta with a filter path.
        scim.patch(
            f"Groups/{group['id']}",
            {
                "schemas": [PATCH],
                "Operations": [
                    {"op": "Remove", "path": "members", "value": [{"value": lea["id"]}]}
                ],
            },
        )
        person.refresh_from_db()
        assert not person.is_agent
        scim.patch(
            f"Groups/{group['id']}",
            {
                "schemas": [PATCH],
                "Operations": [{"op": "remove", "path": f'members[value eq "{otto["id"]}"]'}],
            },
        )
        assert not User.objects.get(email="otto.okta@acme.fi").is_agent

    def test_scim_and_a_manual_grant_live_together(self, desk, provider, scim):
        _s, lea = scim.post("Users", ENTRA_USER)
        _s, group = scim.post("Groups", {"schemas": [GROUP], "displayName": "Agents"})
        services.map_scim_group(desk.admin, ScimGroup.objects.get(pk=group["id"]), roles="agent")
        scim.put(
            f"Groups/{group['id']}",
            {"schemas": [GROUP], "displayName": "Agents", "members": [{"value": lea["id"]}]},
        )
        person = User.objects.get(email="lea.laine@acme.fi")
        accounts.save_user(desk.admin, person, {"sees_all_tickets": True})
        accounts.grant_from_source(person, "ldap:9", roles=["agent"])
        scim.put(
            f"Groups/{group['id']}", {"schemas": [GROUP], "displayName": "Agents", "members": []}
        )
        person.refresh_from_db()
        assert person.is_agent and person.sees_all_tickets  # LDAP and the administrator keep them


class TestOkta:
    def test_create_find_replace_deactivate(self, desk, scim):
        status, body = scim.post("Users", OKTA_USER)
        assert status == 201
        uid = body["id"]
        assert scim.post("Users", OKTA_USER)[0] == 409
        status, body = scim.get(
            "Users?filter=userName%20eq%20%22otto.okta%40acme.fi%22&startIndex=1&count=100"
        )
        assert body["totalResults"] == 1
        replaced = dict(
            OKTA_USER,
            name={"givenName": "Otto", "familyName": "Oksanen"},
            displayName="Otto Oksanen",
        )
        status, body = scim.put(f"Users/{uid}", replaced)
        assert status == 200 and body["displayName"] == "Otto Oksanen"
        # Okta deactivates with a PATCH without a path.
        status, body = scim.patch(
            f"Users/{uid}",
            {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]},
        )
        assert status == 200 and body["active"] is False
        assert not User.objects.get(email="otto.okta@acme.fi").is_active

    def test_group_push(self, desk, scim):
        _s, otto = scim.post("Users", OKTA_USER)
        status, group = scim.post(
            "Groups",
            {
                "schemas": [GROUP],
                "displayName": "Network team",
                "members": [{"value": otto["id"], "display": "otto.okta@acme.fi"}],
            },
        )
        assert status == 201 and group["members"][0]["value"] == otto["id"]
        status, body = scim.get(
            'Groups?filter=displayName eq "Network team"&excludedAttributes=members'
        )
        assert body["totalResults"] == 1 and "members" not in body["Resources"][0]
        status, _ = scim.patch(
            f"Groups/{group['id']}",
            {
                "schemas": [PATCH],
                "Operations": [
                    {"op": "replace", "value": {"id": group["id"], "displayName": "Network"}}
                ],
            },
        )
        assert ScimGroup.objects.get(pk=group["id"]).display_name == "Network"
        assert scim.delete(f"Groups/{group['id']}")[0] == 204


class TestErrors:
    def test_bad_requests_answer_scim_errors(self, scim):
        status, body = scim.post("Users", {"schemas": [USER]})
        assert status == 400 and body["scimType"] == "invalidValue"
        status, body = scim.get('Users?filter=title sw "x"')
        assert status == 400 and body["scimType"] == "invalidFilter"
        status, body = scim.patch("Users/999999", {"schemas": [PATCH], "Operations": []})
        assert status == 404
        status, body = scim.get("Users/8e3d0a6b-1f2c-4d5e-9a7b-0c1d2e3f4a5b")
        assert status == 404 and body["status"] == "404"
        assert scim.get("Groups/99999999999999999999999")[0] == 404
        _s, user = scim.post("Users", OKTA_USER)
        status, body = scim.patch(f"Users/{user['id']}", {"Operations": []})
        assert status == 400
        response = scim.client.post(
            "/scim/v2/Users", data="{nope", content_type="application/scim+json", **scim.headers
        )
        assert response.status_code == 400
        assert ScimUser.objects.count() == 1
