"""The ticket queue: roles, filters, sorting, search, pages, bulk actions and query budget."""

import pytest
from django.test import Client

from tuki.lib.testing import Queries, assert_same_count, query_budget
from tuki.tickets import services
from tuki.tickets.models import Ticket

# The queue's sort and filters take another path on PostgreSQL (views/queue.py).
pytestmark = pytest.mark.each_database

URL = "/desk/tickets/"
# session, user; the configuration's version (tuki.configcache: the statuses, for the filter
# choices and the ids of the active statuses the list filters by, and the custom fields come
# from there); filter choices: groups, agents, organisations; my group ids; count, the
# page's rows (status, requester, group and assignee joined), their categories, their
# organisations and their tags (tickets.models.for_lists says why not one query); the
# header bell's unread notification count.
QUEUE_QUERIES = 13


def make_tickets(desk, count: int) -> list[Ticket]:
    return [
        services.create_ticket(
            desk.operator,
            title=f"Printer {n} jams",
            requester=desk.requester,
            category=desk.vpn,
            tags=["printer", f"floor-{n}"],
        )
        for n in range(count)
    ]


def numbers(response) -> list[str]:
    return [t.number for t in response.context["page"]]


class TestWhoMayOpenTheQueue:
    def test_anonymous_visitors_are_sent_to_sign_in(self, desk):
        response = Client().get(URL)
        assert response.status_code == 302 and response.url.startswith("/login/")

    @pytest.mark.parametrize("who", ["requester", "outsider"])
    def test_requesters_are_sent_to_the_portal(self, desk, who):
        response = desk.client_for(getattr(desk, who)).get(URL)
        assert response.status_code == 302 and response.url == "/portal/"

    @pytest.mark.parametrize("who", ["operator", "specialist", "admin"])
    def test_agents_who_work_the_ticket_see_it_listed(self, desk, escalated, who):
        response = desk.client_for(getattr(desk, who)).get(URL)
        assert response.status_code == 200
        assert numbers(response) == [escalated.number]

    def test_another_groups_agent_does_not_see_networks_ticket(self, desk, escalated):
        response = desk.client_for(desk.other_agent).get(URL)
        assert response.status_code == 200
        assert numbers(response) == []
        assert escalated.title not in response.content.decode()


class TestFilters:
    def test_only_active_tickets_by_default_and_all_on_request(self, desk, incident):
        services.resolve_ticket(desk.operator, incident, code="solved", resolution="ok")
        client = desk.client_for(desk.operator)
        assert numbers(client.get(URL)) == []
        assert numbers(client.get(URL, {"state": "all"})) == [incident.number]
        assert numbers(client.get(URL, {"state": "resolved"})) == [incident.number]

    def test_assignee_me_and_unassigned(self, desk, escalated):
        other = make_tickets(desk, 1)[0]
        services.take_ticket(desk.specialist, escalated)
        client = desk.client_for(desk.specialist)
        assert numbers(client.get(URL, {"assignee": "me"})) == [escalated.number]
        operator = desk.client_for(desk.operator)
        assert numbers(operator.get(URL, {"assignee": "unassigned"})) == [other.number]

    def test_group_kind_priority_status_and_organisation(self, desk, escalated):
        other = make_tickets(desk, 1)[0]
        client = desk.client_for(desk.operator)
        assert numbers(client.get(URL, {"group": desk.network_hel.pk})) == [escalated.number]
        assert numbers(client.get(URL, {"status": "new"})) == [other.number]
        assert numbers(client.get(URL, {"priority": "3"})) == [escalated.number]
        assert numbers(client.get(URL, {"kind": "request"})) == []
        assert len(numbers(client.get(URL, {"organisation": desk.acme.pk}))) == 2
        assert numbers(client.get(URL, {"organisation": desk.globex.pk})) == []

    def test_text_search_looks_in_title_and_description(self, desk, incident):
        make_tickets(desk, 2)
        client = desk.client_for(desk.operator)
        assert numbers(client.get(URL, {"q": "disconnects"})) == [incident.number]
        assert len(numbers(client.get(URL, {"q": "printer"}))) == 2

    def test_a_ticket_number_jumps_to_the_ticket(self, desk, incident):
        response = desk.client_for(desk.operator).get(URL, {"q": incident.number.lower()})
        assert response.status_code == 302 and response.url == incident.get_absolute_url()

    def test_a_number_the_user_cannot_see_does_not_jump(self, desk, escalated):
        response = desk.client_for(desk.other_agent).get(URL, {"q": escalated.number})
        assert response.status_code == 200 and numbers(response) == []

    def test_nonsense_filter_values_are_ignored_not_an_error(self, desk, incident):
        response = desk.client_for(desk.operator).get(
            URL, {"group": "x", "assignee": "9999", "priority": "zz", "sort": "drop", "page": "-3"}
        )
        assert response.status_code == 200
        assert numbers(response) == [incident.number]

    def test_an_htmx_filter_request_gets_only_the_results(self, desk, incident):
        response = desk.client_for(desk.operator).get(URL, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert b"<html" not in response.content and incident.number.encode() in response.content


class TestSortingAndPages:
    def test_sorting_by_priority_both_ways(self, desk):
        low, high = make_tickets(desk, 2)
        services.update_ticket(desk.operator, high, impact=1, urgency=1)
        client = desk.client_for(desk.operator)
        assert numbers(client.get(URL, {"sort": "priority"})) == [high.number, low.number]
        assert numbers(client.get(URL, {"sort": "-priority"})) == [low.number, high.number]
        assert numbers(client.get(URL, {"sort": "number"}))[0] == low.number

    def test_fifty_tickets_a_page(self, desk):
        make_tickets(desk, 51)
        client = desk.client_for(desk.operator)
        assert len(numbers(client.get(URL))) == 50
        assert len(numbers(client.get(URL, {"page": 2}))) == 1


class TestQueryBudget:
    def page_queries(self, desk) -> Queries:
        client = desk.client_for(desk.operator)
        client.get(URL)  # warm the session
        with query_budget(QUEUE_QUERIES, exact=True) as queries:
            response = client.get(URL)
        assert response.status_code == 200
        return queries

    def test_the_queue_runs_the_same_queries_for_3_or_30_tickets(self, desk):
        make_tickets(desk, 3)
        few = self.page_queries(desk)
        make_tickets(desk, 27)
        many = self.page_queries(desk)
        assert_same_count(few, many)


class TestBulkActions:
    def test_assigning_several_tickets_at_once(self, desk):
        tickets = make_tickets(desk, 2)
        response = desk.client_for(desk.operator).post(
            URL + "bulk/",
            {
                "action": "assign",
                "tickets": [t.pk for t in tickets],
                "assignee": desk.operator.pk,
                "next": "assignee=me",
            },
        )
        assert response.status_code == 302 and response.url == URL + "?assignee=me"
        assert set(Ticket.objects.values_list("assignee", flat=True)) == {desk.operator.pk}

    def test_moving_tickets_to_a_group(self, desk):
        tickets = make_tickets(desk, 2)
        desk.client_for(desk.operator).post(
            URL + "bulk/",
            {"action": "assign", "tickets": [t.pk for t in tickets], "group": desk.apps.pk},
        )
        assert set(Ticket.objects.values_list("group", flat=True)) == {desk.apps.pk}

    def test_failures_are_reported_one_by_one(self, desk):
        tickets = make_tickets(desk, 2)
        client = desk.client_for(desk.operator)
        response = client.post(
            URL + "bulk/",
            {
                "action": "assign",
                "tickets": [t.pk for t in tickets],
                "assignee": desk.specialist.pk,
            },
            follow=True,
        )
        texts = [str(m) for m in response.context["messages"]]
        assert len(texts) == 2 and all("not a member" in t for t in texts)
        assert not Ticket.objects.filter(assignee__isnull=False).exists()

    def test_closing_resolved_tickets(self, desk, incident):
        services.resolve_ticket(desk.operator, incident, code="solved", resolution="ok")
        desk.client_for(desk.operator).post(
            URL + "bulk/", {"action": "close", "tickets": [incident.pk]}
        )
        incident.refresh_from_db()
        assert incident.status.key == "closed"

    def test_tickets_the_user_cannot_see_are_left_alone(self, desk, escalated):
        response = desk.client_for(desk.other_agent).post(
            URL + "bulk/", {"action": "close", "tickets": [escalated.pk]}, follow=True
        )
        assert response.status_code == 200
        escalated.refresh_from_db()
        assert escalated.status.key == "assigned"

    def test_nothing_selected_says_so(self, desk, incident):
        response = desk.client_for(desk.operator).post(
            URL + "bulk/", {"action": "close"}, follow=True
        )
        assert "Select at least one ticket." in [str(m) for m in response.context["messages"]]

    @pytest.mark.parametrize("who", ["requester", "outsider"])
    def test_requesters_cannot_bulk_edit(self, desk, incident, who):
        response = desk.client_for(getattr(desk, who)).post(
            URL + "bulk/", {"action": "close", "tickets": [incident.pk]}
        )
        assert response.status_code == 302 and response.url == "/portal/"
        incident.refresh_from_db()
        assert incident.status.key == "new"

    def test_anonymous_cannot_bulk_edit(self, desk, incident):
        response = Client().post(URL + "bulk/", {"action": "close", "tickets": [incident.pk]})
        assert response.status_code == 302 and response.url.startswith("/login/")
