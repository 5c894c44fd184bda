"""The chat API: lists per role, messages, accept, end, tickets; 404 and 422."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tuki.chat import services
from tuki.chat.models import ConversationStatus
from tuki.lib.testing import assert_same_count, query_budget
from tuki.tickets.models import Channel, Ticket

API = "/api/v1/chat"


def post(client: Client, url: str, data: object = None):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json")


@pytest.mark.parametrize(
    ("role", "count"),
    [
        ("requester", 1),
        ("colleague", 0),
        ("outsider", 0),
        ("operator", 1),
        ("specialist", 0),
        ("other_agent", 0),
        ("admin", 1),
    ],
)
def test_the_list_per_role(desk, chat, role, count) -> None:
    response = desk.client_for(getattr(desk, role)).get(f"{API}/")
    assert response.status_code == 200
    assert len(response.json()) == count
    detail = desk.client_for(getattr(desk, role)).get(f"{API}/{chat.pk}")
    assert detail.status_code == (200 if count else 404)


def test_anonymous_is_refused(desk, chat) -> None:
    assert Client().get(f"{API}/").status_code == 401
    assert post(Client(), f"{API}/{chat.pk}/messages", {"body": "x"}).status_code == 401


def test_an_agent_accepts_writes_and_converts(desk, chat) -> None:
    client = desk.client_for(desk.operator)
    accepted = post(client, f"{API}/{chat.pk}/accept")
    assert accepted.status_code == 200 and accepted.json()["agent"] == desk.operator.pk
    again = post(client, f"{API}/{chat.pk}/accept")
    assert again.status_code == 422 and again.json()["detail"][0]["type"] == "taken"
    sent = post(client, f"{API}/{chat.pk}/messages", {"body": "Hello"})
    assert sent.status_code == 201 and sent.json()["body"] == "Hello"
    listed = client.get(f"{API}/{chat.pk}/messages?after={sent.json()['id'] - 1}").json()
    assert [m["body"] for m in listed] == ["Hello"]
    converted = post(client, f"{API}/{chat.pk}/ticket", {"kind": "request", "title": "VPN"})
    ticket = Ticket.objects.get()
    assert converted.json()["ticket"] == ticket.number and ticket.channel == Channel.CHAT
    bad = post(client, f"{API}/{chat.pk}/ticket", {"kind": "request"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "ticket"]


def test_bad_input_is_a_422_naming_the_field(desk, active) -> None:
    client = desk.client_for(desk.requester)
    empty = post(client, f"{API}/{active.pk}/messages", {"body": "  "})
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"] == ["body", "body"]
    long = post(client, f"{API}/{active.pk}/messages", {"body": "x" * 5001})
    assert long.status_code == 422
    agent = desk.client_for(desk.operator)
    kind = post(agent, f"{API}/{active.pk}/ticket", {"kind": "problem"})
    assert kind.status_code == 422 and kind.json()["detail"][0]["loc"] == ["body", "kind"]
    join = post(agent, f"{API}/{active.pk}/join", {"ticket": "INC-99999"})
    assert join.status_code == 422 and join.json()["detail"][0]["loc"] == ["body", "ticket"]
    assert not Ticket.objects.exists()


def test_the_requester_may_not_take_convert_or_join(desk, chat) -> None:
    client = desk.client_for(desk.requester)
    assert post(client, f"{API}/{chat.pk}/accept").status_code == 403
    assert post(client, f"{API}/{chat.pk}/ticket", {"title": "x"}).status_code == 403
    assert post(client, f"{API}/{chat.pk}/join", {"ticket": "INC-1"}).status_code == 403
    ended = post(client, f"{API}/{chat.pk}/end")
    assert ended.status_code == 200 and ended.json()["status"] == ConversationStatus.ENDED


def test_others_get_404_for_every_door(desk, chat) -> None:
    for user in (desk.colleague, desk.specialist, desk.other_agent):
        client = desk.client_for(user)
        assert client.get(f"{API}/{chat.pk}/messages").status_code == 404
        for door in ("accept", "end", "ticket"):
            assert post(client, f"{API}/{chat.pk}/{door}", {"title": "x"}).status_code == 404
        assert post(client, f"{API}/{chat.pk}/messages", {"body": "x"}).status_code == 404
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.WAITING


def test_the_list_has_a_fixed_query_budget(desk, chat) -> None:
    client = desk.client_for(desk.operator)
    client.get(f"{API}/")
    with query_budget(3, exact=True) as few:
        client.get(f"{API}/")
    services.open_conversation(desk.colleague, "Printer")
    with query_budget(3, exact=True) as many:
        client.get(f"{API}/")
    assert_same_count(few, many)


def test_an_id_beyond_a_bigint_is_a_422_not_a_500(desk, active) -> None:
    client = desk.client_for(desk.requester)
    assert client.get(f"{API}/{active.pk}/messages?after={2**70}").status_code == 422
    assert client.get(f"{API}/{active.pk}/messages?after=-5").status_code == 200
