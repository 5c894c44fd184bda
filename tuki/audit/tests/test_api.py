"""GET /api/v1/audit: administrators only (403 for anyone else), filters, keyset pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tuki.accounts.models import ApiToken
from tuki.audit.models import Action
from tuki.audit.tests.conftest import ROLES
from tuki.lib.testing import query_budget
from tuki.routing import services as routing
from tuki.webhooks import services as webhooks

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit"


@pytest.mark.parametrize(("role", "allowed"), ROLES.items())
def test_who_may_read_the_trail(desk, client_as, role, allowed):
    routing.create_rule(desk.admin, name="VPN", group=desk.network_hel)
    response = client_as(role).get(URL)
    if role == "anonymous":
        assert response.status_code == 401
    elif allowed:
        assert response.status_code == 200
        assert any(e["object_repr"] == "VPN" for e in response.json()["items"])
    else:
        assert response.status_code == 403


def test_a_token_of_an_agent_gets_403(desk):
    _token, raw = ApiToken.mint(desk.operator)
    response = Client().get(URL, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403


def test_entries_with_before_and_after_and_masked_secrets(desk):
    rule = routing.create_rule(desk.admin, name="VPN", group=desk.network_hel)
    routing.update_rule(desk.admin, rule, group=desk.network_buc)
    hook = webhooks.create_webhook(desk.admin, name="CMDB", url="https://cmdb.example/h")
    client = desk.client_for(desk.admin)
    body = client.get(URL, {"type": "routing.routingrule", "object_id": str(rule.pk)}).json()
    changed, created = body["items"]
    assert (changed["action"], created["action"]) == (Action.UPDATE, Action.CREATE)
    assert changed["changes"] == {"group": ["Network Helsinki", "Network Bucharest"]}
    assert changed["object_type"] == "routing.routingrule"
    text = client.get(URL, {"type": "webhooks.webhook"}).content.decode()
    hook.refresh_from_db()
    assert hook.secret not in text and "********" in text


def test_filters_and_keyset_pages(desk):
    for n in range(5):
        routing.create_rule(desk.admin, name=f"R{n}", group=desk.apps)
    client = desk.client_for(desk.admin)
    first = client.get(URL, {"type": "routing.routingrule", "limit": 3}).json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    rest = client.get(
        URL, {"type": "routing.routingrule", "limit": 3, "cursor": first["next_cursor"]}
    ).json()
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None
    names = [e["object_repr"] for e in first["items"] + rest["items"]]
    assert names == ["R4", "R3", "R2", "R1", "R0"]
    mine = client.get(URL, {"actor": desk.admin.pk, "action": "sign_in"}).json()["items"]
    assert mine and all(e["actor"] == desk.admin.pk for e in mine)
    assert client.get(URL, {"type": "sign_ins"}).json()["items"]
    assert client.get(URL, {"until": "2000-01-01"}).json()["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"cursor": str(2**70)}, "cursor"),
        ({"actor": "-1"}, "actor"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1000"}, "limit"),
        ({"since": "yesterday"}, "since"),
        ({"action": "explode"}, "action"),
        ({"type": "a\x00b"}, "type"),
        ({"object_id": "x" * 65}, "object_id"),
    ],
)
def test_bad_filters_are_422_naming_the_field(desk, query, field):
    response = desk.client_for(desk.admin).get(URL, query)
    assert response.status_code == 422, response.content
    assert [e["loc"] for e in response.json()["detail"]] == [["query", field]]


@pytest.mark.parametrize(
    "query",
    [
        {"since": "0001-01-01"},
        {"until": "9999-12-31"},
        {"since": "0001-01-01", "until": "9999-12-31"},
        {"object_id": "\u00b9\u00b3"},
    ],
)
def test_days_at_the_ends_of_the_calendar_are_no_500(desk, query):
    response = desk.client_for(desk.admin).get(URL, query)
    assert response.status_code == 200, response.content


def test_an_unknown_type_gives_no_entries(desk):
    body = desk.client_for(desk.admin).get(URL, {"type": "nothing.here"}).json()
    assert body == {"items": [], "next_cursor": None}


def test_the_list_has_a_fixed_query_budget(desk):
    client = desk.client_for(desk.admin)
    client.get(URL)
    for n in range(30):
        routing.create_rule(desk.admin, name=f"R{n}", group=desk.apps)
    # Session, user, the page of entries with their types.
    with query_budget(3, exact=True):
        response = client.get(URL, {"limit": 200})
    assert len(json.loads(response.content)["items"]) > 30
