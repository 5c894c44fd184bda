"""The change calendar's API: entries of a range, a change's window (422 on bad input), its
conflicts and free slots, blackouts; per role."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tuki.changes.models import BlackoutPeriod, Change
from tuki.changes.tests.calendar_fixtures import *  # noqa: F403
from tuki.changes.tests.calendar_fixtures import at, make_change

API = "/api/v1/changes"
RANGE = "start=2030-03-01T00:00:00Z&end=2030-04-01T00:00:00Z"


def call(client: Client, method: str, url: str, data: object = None):
    kwargs: dict = {"content_type": "application/json"}
    if data is not None:
        kwargs["data"] = json.dumps(data)
    return getattr(client, method)(url, **kwargs)


def test_calendar_entries_of_a_range_with_the_item_filter(desk, plant):
    change = make_change(desk, "Patch db", [plant.db], at(10), at(12))
    make_change(desk, "Mail", [plant.other], at(10), at(12))
    client = desk.client_for(desk.operator)
    entries = client.get(f"{API}/calendar?{RANGE}&item={plant.db.pk}").json()
    assert [e["title"] for e in entries] == [f"CHG-{change.pk} Patch db"]
    assert entries[0]["url"] == change.ticket.get_absolute_url()
    assert len(client.get(f"{API}/calendar?{RANGE}").json()) == 2


def test_a_backwards_or_too_long_range_is_a_422(desk):
    client = desk.client_for(desk.operator)
    bad = client.get(f"{API}/calendar?start=2030-03-02T00:00:00Z&end=2030-03-01T00:00:00Z")
    assert bad.status_code == 422
    assert (
        client.get(
            f"{API}/calendar?start=2030-01-01T00:00:00Z&end=2030-06-01T00:00:00Z"
        ).status_code
        == 422
    )


def test_put_a_window_and_read_its_conflicts_and_free_slots(desk, plant):
    other = make_change(desk, "Patch db", [plant.db], at(10), at(12))
    mine = make_change(desk, "Tune db", [plant.db])
    client = desk.client_for(desk.operator)
    answer = call(
        client,
        "put",
        f"{API}/{mine.pk}/window",
        {
            "planned_start": "2030-03-04T11:00:00Z",
            "planned_end": "2030-03-04T12:00:00Z",
            "implementer": desk.lead.pk,
        },
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["implementer"] == desk.lead.pk
    assert [c["kind"] for c in body["conflicts"]] == ["same_item"]
    assert body["conflicts"][0]["ticket_id"] == other.pk
    assert client.get(f"{API}/{mine.pk}/window").json() == body
    assert len(client.get(f"{API}/{mine.pk}/conflicts").json()) == 1
    slots = client.get(f"{API}/{mine.pk}/free-slots?count=2").json()
    assert len(slots) == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (
            {"planned_start": "2030-03-04T11:00:00Z", "planned_end": "2030-03-04T10:00:00Z"},
            "planned_end",
        ),
        (
            {
                "planned_start": "2030-03-04T11:00:00Z",
                "planned_end": "2030-03-04T12:00:00Z",
                "implementer": 999999,
            },
            "implementer",
        ),
    ],
)
def test_a_bad_window_is_a_422_naming_the_field(desk, plant, payload, field):
    mine = make_change(desk, "Tune db", [plant.db])
    answer = call(desk.client_for(desk.operator), "put", f"{API}/{mine.pk}/window", payload)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", field]
    assert Change.objects.get(pk=mine.pk).planned_start is None


def test_a_restricted_change_is_a_404_for_another_group(desk, plant):
    mine = make_change(desk, "Secret", [plant.db], restricted=True, group=desk.network_hel)
    other = desk.client_for(desk.other_agent)
    for url in ("window", "conflicts", "free-slots"):
        assert other.get(f"{API}/{mine.pk}/{url}").status_code == 404
    assert desk.client_for(desk.specialist).get(f"{API}/{mine.pk}/window").status_code == 200
    assert desk.client_for(desk.admin).get(f"{API}/{mine.pk}/window").status_code == 200


@pytest.mark.parametrize("role", ["requester", "outsider"])
def test_requesters_get_404s(desk, plant, role):
    mine = make_change(desk, "Db", [plant.db])
    client = desk.client_for(getattr(desk, role))
    assert client.get(f"{API}/calendar?{RANGE}").status_code == 404
    assert client.get(f"{API}/{mine.pk}/window").status_code == 404
    assert client.get(f"{API}/blackouts").status_code == 404


def test_anonymous_callers_are_refused(desk):
    assert Client().get(f"{API}/blackouts").status_code == 401


def test_blackouts_crud_for_staff_and_read_only_for_agents(desk, plant):
    admin = desk.client_for(desk.admin)
    made = call(
        admin,
        "post",
        f"{API}/blackouts",
        {
            "name": "Sale",
            "starts_at": "2030-03-04T00:00:00Z",
            "ends_at": "2030-03-05T00:00:00Z",
            "items": [plant.db.pk],
        },
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    agent = desk.client_for(desk.operator)
    assert [b["name"] for b in agent.get(f"{API}/blackouts").json()] == ["Sale"]
    assert agent.get(f"{API}/blackouts/{pk}").json()["items"] == [plant.db.pk]
    assert call(agent, "delete", f"{API}/blackouts/{pk}").status_code == 403
    changed = call(
        admin,
        "put",
        f"{API}/blackouts/{pk}",
        {
            "name": "Sale",
            "kind": "freeze",
            "starts_at": "2030-03-04T00:00:00Z",
            "ends_at": "2030-03-06T00:00:00Z",
        },
    )
    assert changed.json()["kind"] == "freeze" and changed.json()["items"] == []
    backwards = call(
        admin,
        "put",
        f"{API}/blackouts/{pk}",
        {"name": "Sale", "starts_at": "2030-03-04T00:00:00Z", "ends_at": "2030-03-03T00:00:00Z"},
    )
    assert backwards.status_code == 422
    assert call(admin, "delete", f"{API}/blackouts/{pk}").status_code == 204
    assert not BlackoutPeriod.objects.exists()
