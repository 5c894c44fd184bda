"""Merging into another organisation's ticket is refused unless confirmed, and then makes
nobody a watcher (issue 13: a merge made one client's requester a watcher of another's ticket).
"""

from __future__ import annotations

import pytest

from tuki.tickets import services
from tuki.tickets.models import Ticket, TicketLink
from tuki.tickets.tests.test_api_support import error_fields, post, token_client

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def globex_ticket(desk) -> Ticket:
    """Globex's ticket about the same outage, with the service desk."""
    return services.create_ticket(desk.operator, title="VPN down too", requester=desk.outsider)


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.with_related().get(pk=ticket.pk)


class TestService:
    def test_a_merge_across_organisations_needs_confirming(self, desk, incident, globex_ticket):
        with pytest.raises(services.ServiceError) as refused:
            services.merge_tickets(desk.operator, globex_ticket, incident)
        assert refused.value.field == "confirm_cross_organisation"
        assert fresh(globex_ticket).merged_into is None and not TicketLink.objects.exists()

    def test_a_confirmed_merge_adds_no_watcher(self, desk, incident, globex_ticket):
        services.merge_tickets(
            desk.operator, globex_ticket, incident, confirm_cross_organisation=True
        )
        assert fresh(globex_ticket).merged_into_id == incident.pk
        assert desk.outsider not in incident.watchers.all()
        assert not Ticket.objects.visible_to(desk.outsider).filter(pk=incident.pk).exists()

    def test_within_one_organisation_the_requester_still_follows(self, desk, incident):
        dup = services.create_ticket(desk.operator, title="VPN again", requester=desk.colleague)
        services.merge_tickets(desk.operator, dup, incident)
        assert desk.colleague in incident.watchers.all()


class TestApi:
    def test_unconfirmed_is_a_422_naming_the_field(self, desk, incident, globex_ticket):
        client = token_client(desk.operator)
        path = f"/tickets/{globex_ticket.number}/merge"
        response = post(client, path, {"into": incident.number})
        assert response.status_code == 422
        assert error_fields(response) == ["confirm_cross_organisation"]
        assert "another organisation" in response.content.decode()
        assert fresh(globex_ticket).merged_into is None

    def test_confirmed_merges_without_a_watcher(self, desk, incident, globex_ticket):
        client = token_client(desk.operator)
        path = f"/tickets/{globex_ticket.number}/merge"
        body = {"into": incident.number, "confirm_cross_organisation": True}
        assert post(client, path, body).status_code == 200
        assert desk.outsider not in incident.watchers.all()


class TestPage:
    def test_unconfirmed_shows_the_error_next_to_the_checkbox(self, desk, incident, globex_ticket):
        client = desk.client_for(desk.operator)
        url = f"/desk/tickets/{globex_ticket.number}/merge/"
        response = client.post(url, {"number": incident.number}, **HTMX)
        assert response.status_code == 422
        assert "another organisation" in response.content.decode()
        assert fresh(globex_ticket).merged_into is None

    def test_confirmed_merges_without_a_watcher(self, desk, incident, globex_ticket):
        client = desk.client_for(desk.operator)
        url = f"/desk/tickets/{globex_ticket.number}/merge/"
        data = {"number": incident.number, "confirm_cross_organisation": "on"}
        assert client.post(url, data).status_code == 302
        assert fresh(globex_ticket).merged_into_id == incident.pk
        assert desk.outsider not in incident.watchers.all()
