"""The consultation thread over REST (tickets/api_thread.py): every role, bad input."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.tickets import services
from tuki.tickets.models import Comment, TicketConsultation
from tuki.tickets.tests.test_api_support import API, ROLES, client_as

pytestmark = pytest.mark.django_db

# Agents only: a requester is not told a thread exists.
UNSEEN = {
    "anonymous": 401,
    "bad_token": 401,
    "requester": 404,
    "colleague": 404,
    "outsider": 404,
    "other_agent": 404,
}
AGENTS = {"operator", "specialist", "admin"}


@pytest.fixture
def swarm(desk: Any, escalated: Any) -> TicketConsultation:
    """Network Bucharest (nobody of the roles) consulted on the escalated ticket."""
    return services.consult(
        desk.operator, escalated, "Check the Bucharest gateway", group=desk.network_buc
    )


def expected(role: str, ok: int) -> int:
    return ok if role in AGENTS else UNSEEN[role]


def send(client: Any, path: str, body: Any = None) -> Any:
    return client.post(API + path, data=body or {}, content_type="application/json")


@pytest.mark.parametrize("role", ROLES)
def test_reading_the_thread(desk, escalated, swarm, role):
    response = client_as(desk, role).get(f"{API}/tickets/{escalated.number}/thread")
    assert response.status_code == expected(role, 200)
    if response.status_code == 200:
        assert [m["body"] for m in response.json()] == ["Check the Bucharest gateway"]
    response = client_as(desk, role).get(f"{API}/tickets/{escalated.number}/consultations")
    assert response.status_code == expected(role, 200)


@pytest.mark.parametrize("role", ROLES)
def test_writing_in_the_thread(desk, escalated, swarm, role):
    response = send(client_as(desk, role), f"/tickets/{escalated.number}/thread", {"body": "Hi"})
    assert response.status_code == expected(role, 201)
    assert Comment.objects.filter(thread=True).count() == (2 if role in AGENTS else 1)


@pytest.mark.parametrize("role", ROLES)
def test_consulting(desk, escalated, role):
    body = {"group": desk.apps.pk, "body": "Is the app server up?"}
    response = send(client_as(desk, role), f"/tickets/{escalated.number}/consultations", body)
    assert response.status_code == expected(role, 201)
    if response.status_code == 201:
        assert response.json()["group"]["name"] == "Applications"
        assert response.json()["is_open"] is True
    assert TicketConsultation.objects.count() == (1 if role in AGENTS else 0)


@pytest.mark.parametrize("role", ROLES)
def test_closing(desk, escalated, swarm, role):
    path = f"/tickets/{escalated.number}/consultations/{swarm.pk}/close"
    response = send(client_as(desk, role), path)
    assert response.status_code == expected(role, 200)
    swarm.refresh_from_db()
    assert (swarm.closed_at is not None) == (role in AGENTS)


class TestBadInput:
    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"body": "Help"}, "group"),
            ({"group": 999999, "body": "Help"}, "group"),
            ({"user": 999999, "body": "Help"}, "user"),
            ({"group": "APPS", "body": "  "}, "body"),
            ({"group": "x", "body": "Help"}, "group"),
            ({"group": 2**70, "body": "Help"}, "group"),
        ],
    )
    def test_a_refused_consultation_is_a_422_naming_the_field(self, desk, escalated, body, field):
        client = client_as(desk, "operator")
        if body.get("group") == "APPS":
            body = {**body, "group": desk.apps.pk}
        response = send(client, f"/tickets/{escalated.number}/consultations", body)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][-1] == field
        assert not TicketConsultation.objects.exists() and not Comment.objects.exists()

    def test_a_message_without_an_open_consultation_is_a_422(self, desk, escalated):
        response = send(
            client_as(desk, "operator"), f"/tickets/{escalated.number}/thread", {"body": "x"}
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["type"] == "no_consultation"

    def test_closing_twice_is_a_422_and_another_tickets_consultation_a_404(
        self, desk, escalated, incident, swarm
    ):
        client = client_as(desk, "operator")
        path = f"/tickets/{escalated.number}/consultations/{swarm.pk}/close"
        assert send(client, path).status_code == 200
        assert send(client, path).status_code == 422
        other = services.create_ticket(desk.operator, title="Other", requester=desk.requester)
        assert (
            send(client, f"/tickets/{other.number}/consultations/{swarm.pk}/close").status_code
            == 404
        )
