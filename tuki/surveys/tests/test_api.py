"""GET /api/v1/surveys/: the desk reads the answers of the tickets it may see."""

from __future__ import annotations

import pytest
from django.test import Client

from tuki.conftest import Desk
from tuki.lib.testing import assert_same_count, query_budget
from tuki.surveys import services
from tuki.surveys.models import SurveyResponse
from tuki.surveys.tests.conftest import resolve
from tuki.tickets import services as tickets
from tuki.tickets.models import Ticket

URL = "/api/v1/surveys/"


@pytest.fixture
def answered(desk: Desk, escalated: Ticket) -> SurveyResponse:
    tickets.take_ticket(desk.specialist, escalated)
    ticket = tickets.resolve_ticket(desk.specialist, escalated, code="solved", resolution="Done")
    return services.answer(SurveyResponse.objects.get(ticket=ticket), 2, "Slow")


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("operator", True),
        ("specialist", True),
        ("lead", True),
        ("admin", True),
        ("other_agent", False),
    ],
)
def test_agents_list_the_answers_of_tickets_they_see(
    desk: Desk, answered: SurveyResponse, who: str, sees: bool
) -> None:
    response = desk.client_for(getattr(desk, who)).get(URL)
    assert response.status_code == 200
    items = response.json()["items"]
    if not sees:
        assert items == []
        return
    (item,) = items
    assert item["ticket"] == answered.ticket.number
    assert (item["score"], item["comment"], item["cycle"]) == (2, "Slow", 1)
    assert item["agent"] == desk.specialist.pk and item["group"] == desk.network_hel.pk
    assert item["organisation"] == answered.ticket.organisation_id


@pytest.mark.parametrize("who", ["requester", "colleague", "outsider"])
def test_requesters_get_403(desk: Desk, answered: SurveyResponse, who: str) -> None:
    assert desk.client_for(getattr(desk, who)).get(URL).status_code == 403


def test_anonymous_callers_get_401(answered: SurveyResponse) -> None:
    assert Client().get(URL).status_code == 401


def test_a_restricted_ticket_is_listed_for_its_two_groups_only(
    desk: Desk, answered: SurveyResponse
) -> None:
    desk.other_agent.sees_all_tickets = True
    desk.other_agent.save()
    assert len(desk.client_for(desk.other_agent).get(URL).json()["items"]) == 1
    tickets.update_ticket(desk.specialist, answered.ticket, restricted=True)
    assert desk.client_for(desk.other_agent).get(URL).json()["items"] == []
    assert len(desk.client_for(desk.specialist).get(URL).json()["items"]) == 1


def test_filters(desk: Desk, answered: SurveyResponse, incident: Ticket) -> None:
    other = tickets.create_ticket(desk.operator, title="Mouse", requester=desk.outsider)
    resolve(desk, other)
    client = desk.client_for(desk.admin)

    def ids(**params: object) -> list[str]:
        return [i["ticket"] for i in client.get(URL, params).json()["items"]]

    first = answered.ticket.number
    assert ids() == [other.number, first]
    assert ids(ticket=first) == [first]
    assert ids(ticket=str(answered.ticket_id)) == [first]
    assert ids(agent=desk.specialist.pk) == [first]
    assert ids(group=desk.network_hel.pk) == [first]
    assert ids(organisation=desk.acme.pk) == [first]
    assert ids(organisation=desk.globex.pk) == [other.number]
    assert ids(answered="true") == [first]
    assert ids(answered="false") == [other.number]
    today = answered.sent_at.date().isoformat()
    assert ids(since=today, until=today) == [other.number, first]
    assert ids(until="2000-01-01") == []
    page = client.get(URL, {"limit": 1}).json()
    assert page["next_cursor"] is not None
    rest = client.get(URL, {"limit": 1, "cursor": page["next_cursor"]}).json()
    assert [i["ticket"] for i in rest["items"]] == [first]


@pytest.mark.parametrize(
    "params",
    [
        {"ticket": "no such thing"},
        {"agent": "x"},
        {"agent": 0},
        {"since": "yesterday"},
        {"limit": 500},
        {"cursor": 2**64},
    ],
)
def test_bad_filters_are_422(desk: Desk, answered: SurveyResponse, params: dict) -> None:
    response = desk.client_for(desk.admin).get(URL, params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query" or response.json()["detail"]


def test_the_list_has_a_fixed_query_budget(desk: Desk, answered: SurveyResponse) -> None:
    client = desk.client_for(desk.operator)
    client.get(URL)
    with query_budget(6) as few:
        client.get(URL)
    for n in range(5):
        ticket = tickets.create_ticket(desk.operator, title=f"T{n}", requester=desk.requester)
        resolve(desk, ticket)
    with query_budget(6) as many:
        assert len(client.get(URL).json()["items"]) == 6
    assert_same_count(few, many)
