"""Portal fixtures: requests filed through the web, as a requester files them."""

from __future__ import annotations

import pytest

from tuki.conftest import Desk
from tuki.lib.testing import Queries, query_budget
from tuki.lib.uploads import Upload
from tuki.tickets import services
from tuki.tickets.models import Channel, Ticket

ALL_ROLES = ("requester", "colleague", "outsider", "operator", "specialist", "other_agent", "admin")


def file_request(desk: Desk, title: str = "Printer on floor 3 jams", **extra: object) -> Ticket:
    requester = extra.pop("requester", desk.requester)
    return services.create_ticket(
        requester,
        title=title,
        description=extra.pop("description", "It jams on every second page."),
        requester=requester,
        channel=Channel.WEB,
        **extra,
    )


def resolve(desk: Desk, ticket: Ticket) -> Ticket:
    return services.resolve_ticket(
        desk.operator, ticket, code="solved", resolution="Replaced the fuser unit."
    )


def add_secrets(desk: Desk, ticket: Ticket) -> None:
    """What the desk writes for itself and the requester must never see."""
    services.add_comment(
        desk.operator,
        ticket,
        "Internal: the user broke it again, bill their department",
        internal=True,
        uploads=[Upload("internal-diagnostics.txt", b"router password is hunter2")],
    )


def page_queries(client, url: str) -> Queries:
    with query_budget() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return queries


@pytest.fixture
def web_request(desk: Desk) -> Ticket:
    return file_request(desk)


@pytest.fixture
def resolved(desk: Desk, web_request: Ticket) -> Ticket:
    return resolve(desk, web_request)


@pytest.fixture
def closed(desk: Desk, resolved: Ticket) -> Ticket:
    return services.close_ticket(desk.requester, resolved)
