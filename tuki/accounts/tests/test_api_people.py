"""People, organisations, groups and the other lists a client needs to fill its forms."""

from __future__ import annotations

import pytest

from tuki.tickets.tests.test_api_support import ROLES, client_as, get

AGENTS = {"operator", "specialist", "other_agent", "admin"}
SIGNED_OUT = {"anonymous", "bad_token"}


@pytest.mark.parametrize("role", ROLES)
def test_finding_people_is_for_agents(desk, role):
    response = get(client_as(desk, role), "/users", q="maija")
    expected = 401 if role in SIGNED_OUT else 200 if role in AGENTS else 403
    assert response.status_code == expected
    if expected == 200:
        assert [u["email"] for u in response.json()] == ["maija@acme.fi"]


def test_people_search_by_phone_and_filters(desk):
    client = client_as(desk, "operator")
    assert [u["email"] for u in get(client, "/users", q="555 1234").json()] == ["maija@acme.fi"]
    agents = get(client, "/users", is_agent="true", organisation=desk.acme.pk).json()
    assert agents == []
    assert len(get(client, "/users", limit=2).json()) == 2


@pytest.mark.parametrize("role", ROLES)
def test_me(desk, role):
    response = get(client_as(desk, role), "/users/me")
    if role in SIGNED_OUT:
        assert response.status_code == 401
        return
    body = response.json()
    assert body["email"] == getattr(desk, role).email
    assert body["may_write_to_requesters"] is (role in {"operator", "admin"})


def test_me_lists_my_groups(desk):
    body = get(client_as(desk, "specialist"), "/users/me").json()
    assert [g["name"] for g in body["groups"]] == ["Network Helsinki"]
    assert body["role"] == "agent"


@pytest.mark.parametrize("role", ROLES)
def test_organisations(desk, role):
    response = get(client_as(desk, role), "/organisations")
    if role in SIGNED_OUT:
        assert response.status_code == 401
        return
    names = [o["name"] for o in response.json()]
    if role in AGENTS:
        assert names == ["Acme Oy", "Globex SRL"]
    else:
        # A requester sees only their own organisation, never the provider's other clients.
        assert names == [getattr(desk, role).organisation.name]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/groups", "/categories", "/statuses"])
def test_reference_lists(desk, role, path):
    response = get(client_as(desk, role), path)
    assert response.status_code == (401 if role in SIGNED_OUT else 200)


def test_groups_show_tier_and_whether_they_may_write(desk):
    groups = {g["name"]: g for g in get(client_as(desk, "operator"), "/groups").json()}
    assert groups["Service Desk"]["tier"] == 1
    assert groups["Service Desk"]["may_write_to_requesters"] is True
    assert groups["Network Helsinki"]["may_write_to_requesters"] is False


def test_categories_and_statuses(desk):
    client = client_as(desk, "requester")
    paths = [c["path"] for c in get(client, "/categories").json()]
    assert paths == ["Network", "Network › VPN"]
    statuses = get(client, "/statuses").json()
    assert statuses[0] == {"key": "new", "name": "New", "category": "new", "order": 10}
