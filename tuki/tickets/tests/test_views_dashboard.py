"""The agent dashboard: who may open it, and what it counts."""

import pytest
from django.test import Client

from tuki.tickets import services

URL = "/desk/"


class TestWhoMayOpenTheDashboard:
    def test_anonymous_visitors_are_sent_to_sign_in(self, desk):
        response = Client().get(URL)
        assert response.status_code == 302 and response.url.startswith("/login/")

    @pytest.mark.parametrize("who", ["requester", "colleague", "outsider"])
    def test_requesters_are_sent_to_the_portal(self, desk, who):
        response = desk.client_for(getattr(desk, who)).get(URL)
        assert response.status_code == 302 and response.url == "/portal/"

    @pytest.mark.parametrize("who", ["operator", "specialist", "other_agent", "lead", "admin"])
    def test_agents_and_admins_see_it(self, desk, who):
        response = desk.client_for(getattr(desk, who)).get(URL)
        assert response.status_code == 200
        assert response.context["nav"] == "dashboard"


class TestWhatTheDashboardShows:
    def test_unassigned_tickets_of_my_groups_are_listed(self, desk, escalated):
        response = desk.client_for(desk.specialist).get(URL)
        assert response.context["counts"]["unassigned"] == 1
        assert response.context["unassigned"] == [escalated]
        assert escalated.number in response.content.decode()

    def test_my_open_tickets_follow_the_assignee(self, desk, escalated):
        services.take_ticket(desk.specialist, escalated)
        response = desk.client_for(desk.specialist).get(URL)
        assert response.context["counts"]["mine"] == 1
        assert response.context["counts"]["unassigned"] == 0

    def test_resolved_tickets_i_own_wait_on_me(self, desk, incident):
        services.resolve_ticket(desk.operator, incident, code="solved", resolution="Done")
        response = desk.client_for(desk.operator).get(URL)
        assert response.context["waiting"] == [incident]

    def test_another_groups_agent_counts_nothing_of_network(self, desk, escalated):
        response = desk.client_for(desk.other_agent).get(URL)
        assert response.context["counts"] == {"mine": 0, "unassigned": 0, "waiting": 0, "groups": 0}
        assert escalated.title not in response.content.decode()
