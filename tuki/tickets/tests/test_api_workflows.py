"""The workflow over REST: agents read it, administrators change it (docs/workflows.md)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from tuki.conftest import Desk
from tuki.lib.testing import Queries, assert_same_count, query_budget
from tuki.tickets.models import Status, StatusTransition, Ticket
from tuki.tickets.tests.test_api_support import (
    API,
    ROLES,
    client_as,
    error_fields,
    get,
    patch,
    post,
)
from tuki.tickets.tests.test_custom_fields import make_field

pytestmark = pytest.mark.django_db


def put(client: Client, path: str, data: Any, **params: Any) -> Any:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.put(
        API + path + (f"?{query}" if query else ""), data=data, content_type="application/json"
    )


def _moves(kind: str) -> set[tuple[str, str]]:
    return set(
        StatusTransition.objects.filter(kind=kind).values_list("from_status__key", "to_status__key")
    )


READERS = {"operator", "specialist", "other_agent", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_a_workflow(desk: Desk, role: str) -> None:
    response = get(client_as(desk, role), "/workflows", kind="incident")
    if role in ("anonymous", "bad_token"):
        assert response.status_code == 401
    elif role in READERS:
        assert response.status_code == 200
        body = response.json()
        assert body["kind"] == "incident"
        assert {(t["from_status"], t["to_status"]) for t in body["transitions"]} == _moves(
            "incident"
        )
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_change_a_workflow(desk: Desk, role: str) -> None:
    before = _moves("incident")
    moves = [{"from_status": a, "to_status": b} for a, b in sorted(before)]
    response = put(
        client_as(desk, role), "/workflows/transitions", {"transitions": moves}, kind="incident"
    )
    expected = {"anonymous": 401, "bad_token": 401, "admin": 200}.get(
        role, 403 if role in READERS else 404
    )
    assert response.status_code == expected, response.content
    assert _moves("incident") == before


def test_status_names_come_in_the_callers_language(desk: Desk) -> None:
    status = Status.objects.get(key="new")
    status.names = {"fi": "Uusi", "ro": "Nou"}
    status.save()
    client = client_as(desk, "operator")
    with translation.override("fi"):
        body = client.get(API + "/workflows", {"kind": "incident"}, HTTP_ACCEPT_LANGUAGE="fi")
    row = next(s for s in body.json()["statuses"] if s["key"] == "new")
    assert row["names"] == {"fi": "Uusi", "ro": "Nou"}
    assert row["name_en"] == status.name


def test_an_administrator_replaces_the_moves_and_the_reply_shows_them(desk: Desk) -> None:
    before = _moves("request")
    dropped = sorted(p for p in before if p[0] != "new" and p[1] != "new")[0]
    wanted = sorted(before - {dropped})
    response = put(
        client_as(desk, "admin"),
        "/workflows/transitions",
        {"transitions": [{"from_status": a, "to_status": b} for a, b in wanted]},
        kind="request",
    )
    assert response.status_code == 200, response.content
    assert _moves("request") == set(wanted)
    assert {(t["from_status"], t["to_status"]) for t in response.json()["transitions"]} == set(
        wanted
    )


def test_stranding_open_tickets_is_a_422_naming_them(desk: Desk, incident: Ticket) -> None:
    before = _moves("incident")
    kept = [{"from_status": a, "to_status": b} for a, b in sorted(before) if a != "new"]
    response = put(
        client_as(desk, "admin"), "/workflows/transitions", {"transitions": kept}, kind="incident"
    )
    assert error_fields(response) == ["transitions"]
    assert incident.number in response.json()["detail"][0]["msg"]
    assert _moves("incident") == before


def test_an_unknown_status_key_is_a_422_naming_the_move(desk: Desk) -> None:
    response = put(
        client_as(desk, "admin"),
        "/workflows/transitions",
        {"transitions": [{"from_status": "new", "to_status": "nowhere"}]},
        kind="incident",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "transitions.0.to_status"]


def test_an_unknown_kind_is_a_422(desk: Desk) -> None:
    response = get(client_as(desk, "operator"), "/workflows", kind="nonsense")
    assert error_fields(response) == ["kind"]


def test_rules_of_a_move(desk: Desk) -> None:
    transition = StatusTransition.objects.filter(kind="incident").first()
    assert transition is not None
    client = client_as(desk, "admin")
    make_field("asset_tag")
    response = patch(
        client,
        f"/workflows/transitions/{transition.pk}",
        {"roles": ["manager"], "required_fields": ["resolution", "custom.asset_tag"]},
    )
    assert response.status_code == 200, response.content
    transition.refresh_from_db()
    assert transition.roles == ["manager"]
    assert transition.required_fields == ["resolution", "custom.asset_tag"]

    bad = patch(client, f"/workflows/transitions/{transition.pk}", {"roles": ["wizard"]})
    assert error_fields(bad) == ["roles"]
    bad = patch(client, f"/workflows/transitions/{transition.pk}", {"required_fields": ["x y"]})
    assert error_fields(bad) == ["required_fields"]
    transition.refresh_from_db()
    assert transition.roles == ["manager"]

    missing = patch(client, "/workflows/transitions/999999999", {"roles": []})
    assert missing.status_code == 404
    huge = patch(client, f"/workflows/transitions/{2**70}", {"roles": []})
    assert huge.status_code == 422


def test_an_administrator_adds_renames_and_retires_a_status(desk: Desk) -> None:
    client = client_as(desk, "admin")
    created = post(
        client,
        "/workflows/statuses",
        {
            "key": "waiting_vendor",
            "name": "Waiting for vendor",
            "names": {"fi": "Odottaa toimittajaa", "ro": "Așteaptă furnizorul"},
            "category": "pending",
            "order": 45,
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    renamed = patch(client, f"/workflows/statuses/{pk}", {"name": "Vendor"})
    assert renamed.status_code == 200
    status = Status.objects.get(pk=pk)
    assert status.name == "Vendor"
    assert status.names["fi"] == "Odottaa toimittajaa"
    retired = patch(client, f"/workflows/statuses/{pk}", {"is_retired": True})
    assert retired.json()["is_retired"] is True

    taken = post(client, "/workflows/statuses", {"key": "new", "name": "X", "category": "new"})
    assert error_fields(taken) == ["key"]
    blank = patch(client, f"/workflows/statuses/{pk}", {"name": "  "})
    assert error_fields(blank) == ["name"]
    assert Status.objects.get(pk=pk).name == "Vendor"


def test_an_agent_who_is_not_an_administrator_may_not_add_a_status(desk: Desk) -> None:
    response = post(
        client_as(desk, "operator"),
        "/workflows/statuses",
        {"key": "sneaky", "name": "Sneaky", "category": "open"},
    )
    assert response.status_code == 403
    assert not Status.objects.filter(key="sneaky").exists()


def test_reading_a_workflow_costs_the_same_whatever_its_size(desk: Desk) -> None:
    client = client_as(desk, "operator")

    def queries() -> Queries:
        with query_budget() as captured:
            assert get(client, "/workflows", kind="incident").status_code == 200
        return captured

    queries()  # the token's first use is written down once
    small = queries()
    for index in range(5):
        Status.objects.create(key=f"extra_{index}", name=f"Extra {index}", category="open")
    new = Status.objects.get(key="new")
    for status in Status.objects.filter(key__startswith="extra_"):
        StatusTransition.objects.create(kind="incident", from_status=new, to_status=status)
    assert_same_count(small, queries())
