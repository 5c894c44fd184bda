"""External (tier-3 supplier) agents find only the people their work needs: themselves, their
groups' members and the people on tickets they may see, in the API's /users and the pickers.
Everyone else on the desk finds anyone (issue 13)."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.accounts import directory
from tuki.accounts.models import SupportGroup
from tuki.conftest import Desk, make_user
from tuki.tickets import services as tickets
from tuki.tickets.tests.test_api_support import get, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier(desk: Desk) -> Any:
    """An agent of an outside printer company (tier 3), with one ticket handed to it."""
    group = SupportGroup.objects.create(name="PrintCo", tier=SupportGroup.Tier.SUPPLIER)
    agent = make_user("tech@printco.example", "Pia Printco", is_agent=True)
    colleague = make_user("boss@printco.example", "Paavo Printco", is_agent=True)
    group.members.add(agent, colleague)
    ticket = tickets.create_ticket(desk.operator, title="Printer", requester=desk.requester)
    tickets.escalate_ticket(desk.operator, ticket, group=group, reason="Their printer")
    return agent


def emails(people: Any) -> set[str]:
    return {p.email for p in people}


def test_an_external_agent_finds_only_their_groups_and_their_tickets_people(
    desk: Desk, supplier: Any
) -> None:
    assert directory.is_external(supplier)
    found = emails(directory.people_visible_to(supplier))
    assert found == {
        "tech@printco.example",
        "boss@printco.example",
        desk.requester.email,  # the requester of the ticket they work
        desk.operator.email,  # its owner, on the service desk
    }


def test_desk_agents_still_find_anyone(desk: Desk, supplier: Any) -> None:
    assert not directory.is_external(desk.specialist)
    assert desk.outsider.email in emails(directory.people_visible_to(desk.specialist))


def test_the_users_api_of_an_external_agent(desk: Desk, supplier: Any) -> None:
    client = token_client(supplier)
    assert [u["email"] for u in get(client, "/users", q="maija").json()] == [desk.requester.email]
    assert get(client, "/users", q="ion").json() == []  # Globex's requester: not theirs
    everyone = {u["email"] for u in get(client, "/users", limit=200).json()}
    assert desk.colleague.email not in everyone and desk.specialist.email not in everyone
    desk_agent = token_client(desk.operator)
    assert [u["email"] for u in get(desk_agent, "/users", q="ion").json()] == ["ion@globex.ro"]


def test_the_caller_picker_of_an_external_agent(desk: Desk, supplier: Any) -> None:
    client = desk.client_for(supplier)
    page = client.get("/desk/call/callers/", {"caller": "Ion"}).content.decode()
    assert "ion@globex.ro" not in page
    card = client.get("/desk/call/caller/", {"requester": desk.outsider.pk}).content.decode()
    assert "ion@globex.ro" not in card
    page = client.get("/desk/call/callers/", {"caller": "Maija"}).content.decode()
    assert desk.requester.email in page
