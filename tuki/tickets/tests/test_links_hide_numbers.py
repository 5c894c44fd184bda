"""A link or merge never shows another ticket's number or title to someone who cannot see
that ticket: not in the timeline, not in the API's events, not as "merged into" (issue 13)."""

from __future__ import annotations

import pytest

from tuki.tickets import services
from tuki.tickets.models import Ticket
from tuki.tickets.tests.test_api_support import get, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(desk) -> Ticket:
    """A restricted Network Helsinki case the service desk may not see."""
    ticket = services.create_ticket(
        desk.specialist,
        title="Secret outage",
        requester=desk.requester,
        group=desk.network_hel,
        restricted=True,
    )
    Ticket.objects.filter(pk=ticket.pk).update(owner_group=desk.network_hel)
    return ticket


def test_the_timeline_of_a_linked_ticket_hides_a_number_the_reader_cannot_see(
    desk, incident, secret
):
    services.link_tickets(desk.admin, incident, secret, "related")
    page = desk.client_for(desk.operator).get(incident.get_absolute_url()).content.decode()
    assert f"/{secret.number}/" not in page and f"{secret.number}<" not in page
    assert "a ticket you cannot see" in page
    shown = desk.client_for(desk.admin).get(incident.get_absolute_url()).content.decode()
    assert f"/{secret.number}/" in shown


def test_the_events_api_leaves_the_number_out(desk, incident, secret):
    services.link_tickets(desk.admin, incident, secret, "related")
    events = get(token_client(desk.operator), f"/tickets/{incident.number}/events").json()
    assert secret.number not in str(events)
    events = get(token_client(desk.admin), f"/tickets/{incident.number}/events").json()
    assert secret.number in str(events)


def test_merged_into_a_ticket_the_reader_cannot_see(desk, incident, secret):
    services.merge_tickets(desk.admin, incident, secret)
    page = desk.client_for(desk.operator).get(incident.get_absolute_url()).content.decode()
    assert f"/{secret.number}/" not in page and "Secret outage" not in page
    body = get(token_client(desk.operator), f"/tickets/{incident.number}").json()
    assert body["merged_into"] is None
    mine = get(token_client(desk.admin), f"/tickets/{incident.number}")
    assert mine.json()["merged_into"] == secret.number
