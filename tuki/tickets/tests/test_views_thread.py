"""The consultation panel's pages (tickets/views/thread.py): every role, the forms, and the
query budgets of the thread fragment, the ticket page with a thread, and the list."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tuki.lib.testing import assert_same_count, query_budget
from tuki.tickets import services
from tuki.tickets.models import Comment, Ticket, TicketConsultation
from tuki.tickets.tests.test_views_ticket import TICKET_PAGE_QUERIES

pytestmark = pytest.mark.django_db

AGENTS = ["operator", "specialist", "admin"]
HIDDEN = ["requester", "colleague", "outsider", "other_agent"]
THREAD_QUERIES = 7
LIST_QUERIES = 6


@pytest.fixture
def swarm(desk: Any, escalated: Ticket) -> TicketConsultation:
    """Network Bucharest (nobody of the roles) consulted on the escalated ticket."""
    return services.consult(
        desk.operator, escalated, "Check the Bucharest gateway", group=desk.network_buc
    )


def url(ticket: Ticket, rest: str = "") -> str:
    return f"/desk/tickets/{ticket.number}/{rest}"


def htmx(client: Client, method: str, path: str, data: Any = None) -> Any:
    return getattr(client, method)(path, data or {}, headers={"HX-Request": "true"})


class TestRoles:
    @pytest.mark.parametrize("who", AGENTS)
    def test_agents_who_see_the_ticket_get_the_thread(self, desk, escalated, swarm, who):
        response = desk.client_for(getattr(desk, who)).get(url(escalated, "thread/"))
        assert response.status_code == 200
        assert b"Check the Bucharest gateway" in response.content
        assert b"<html" not in response.content

    @pytest.mark.parametrize("who", HIDDEN)
    def test_others_get_a_404_everywhere(self, desk, escalated, swarm, who):
        client = desk.client_for(getattr(desk, who))
        assert client.get(url(escalated, "thread/")).status_code == 404
        assert client.get(url(escalated, "consult/")).status_code == 404
        assert client.post(url(escalated, "thread/post/"), {"body": "x"}).status_code == 404
        assert client.post(url(escalated, "consult/"), {"body": "x"}).status_code == 404
        close = url(escalated, f"consultations/{swarm.pk}/close/")
        assert client.post(close).status_code == 404
        assert Comment.objects.filter(thread=True).count() == 1
        swarm.refresh_from_db()
        assert swarm.is_open

    def test_anonymous_visitors_sign_in_first(self, desk, escalated, swarm):
        for path in (url(escalated, "thread/"), url(escalated, "consult/"), "/desk/consultations/"):
            response = Client().get(path)
            assert response.status_code == 302 and "/login/" in response["Location"]

    @pytest.mark.parametrize("who", AGENTS)
    def test_agents_write_in_the_thread(self, desk, escalated, swarm, who):
        client = desk.client_for(getattr(desk, who))
        response = htmx(client, "post", url(escalated, "thread/post/"), {"body": "On it"})
        assert response.status_code == 200
        assert b'id="thread-composer"' in response.content and b"On it" in response.content
        assert Comment.objects.filter(thread=True, body="On it").exists()

    @pytest.mark.parametrize("who", AGENTS)
    def test_agents_consult(self, desk, escalated, who):
        client = desk.client_for(getattr(desk, who))
        assert htmx(client, "get", url(escalated, "consult/")).status_code == 200
        assert client.get(url(escalated, "consult/")).status_code == 200  # the page, no JS
        response = client.post(url(escalated, "consult/"), {"group": desk.apps.pk, "body": "Help"})
        assert response.status_code == 302
        assert TicketConsultation.objects.get().group == desk.apps

    @pytest.mark.parametrize("who", AGENTS)
    def test_agents_close(self, desk, escalated, swarm, who):
        client = desk.client_for(getattr(desk, who))
        response = client.post(url(escalated, f"consultations/{swarm.pk}/close/"))
        assert response.status_code == 302
        swarm.refresh_from_db()
        assert not swarm.is_open

    def test_a_consulted_agent_of_another_group_opens_the_ticket(self, desk, escalated):
        client = desk.client_for(desk.other_agent)
        assert client.get(url(escalated)).status_code == 404
        consultation = services.consult(desk.operator, escalated, "Apps?", group=desk.apps)
        page = client.get(url(escalated))
        assert page.status_code == 200 and b'id="consultation"' in page.content
        assert b'data-live-topics="ticket.%d"' % escalated.pk in page.content
        services.close_consultation(desk.operator, escalated, consultation)
        assert client.get(url(escalated)).status_code == 404

    @pytest.mark.parametrize("who", ["requester", "colleague", "outsider"])
    def test_requesters_go_to_the_portal_from_the_list(self, desk, who):
        response = desk.client_for(getattr(desk, who)).get("/desk/consultations/")
        assert response.status_code == 302 and "/portal/" in response["Location"]

    def test_the_list_shows_consultations_for_me_and_mine(self, desk, escalated):
        services.consult(desk.operator, escalated, "Apps?", group=desk.apps)
        link = f"{escalated.get_absolute_url()}#consultation".encode()
        mine = desk.client_for(desk.other_agent).get("/desk/consultations/")
        assert mine.status_code == 200 and link in mine.content
        opened = desk.client_for(desk.operator).get("/desk/consultations/")
        assert link in opened.content
        nothing = desk.client_for(desk.specialist).get("/desk/consultations/")
        assert link not in nothing.content


class TestForms:
    def test_a_refused_consultation_shows_the_error_by_its_field(self, desk, escalated):
        client = desk.client_for(desk.operator)
        response = htmx(client, "post", url(escalated, "consult/"), {"body": "Help"})
        assert response.status_code == 422
        assert b"Choose a group or a person to consult." in response.content
        assert not TicketConsultation.objects.exists()

    def test_an_empty_message_is_refused(self, desk, escalated, swarm):
        client = desk.client_for(desk.operator)
        response = htmx(client, "post", url(escalated, "thread/post/"), {"body": " "})
        assert response.status_code == 422 and b"is-invalid" in response.content
        without_js = client.post(url(escalated, "thread/post/"), {"body": " "})
        assert without_js.status_code == 422 and b"<html" in without_js.content
        assert Comment.objects.filter(thread=True).count() == 1

    def test_the_ticket_page_marks_thread_messages_in_the_timeline(self, desk, escalated, swarm):
        page = desk.client_for(desk.operator).get(url(escalated))
        assert b"In the consultation thread" in page.content
        assert b"asked for help" in page.content


def thread_of(desk: Any, ticket: Ticket, count: int) -> None:
    for n in range(count):
        services.post_thread_message(desk.operator, ticket, f"Message {n} @specialist")


class TestQueryBudgets:
    def test_the_fragment_costs_the_same_for_3_or_30_messages(self, desk, escalated, swarm):
        client = desk.client_for(desk.operator)
        client.get(url(escalated, "thread/"))
        thread_of(desk, escalated, 2)
        with query_budget(THREAD_QUERIES, exact=True) as few:
            client.get(url(escalated, "thread/"))
        thread_of(desk, escalated, 27)
        with query_budget(THREAD_QUERIES, exact=True) as many:
            response = client.get(url(escalated, "thread/"))
        assert response.content.count(b"ws-thread-message") >= 30
        assert_same_count(few, many)

    def test_the_ticket_page_with_a_thread_of_30_costs_one_query_more(self, desk, escalated, swarm):
        thread_of(desk, escalated, 29)
        client = desk.client_for(desk.operator)
        client.get(url(escalated))
        with query_budget(TICKET_PAGE_QUERIES + 1, exact=True):
            response = client.get(url(escalated))
        assert response.status_code == 200

    def test_the_list_costs_the_same_for_1_or_20(self, desk, escalated):
        client = desk.client_for(desk.other_agent)
        services.consult(desk.operator, escalated, "Apps?", group=desk.apps)
        client.get("/desk/consultations/")
        with query_budget(LIST_QUERIES, exact=True) as few:
            client.get("/desk/consultations/")
        for n in range(19):
            ticket = services.create_ticket(desk.operator, title=f"T{n}", requester=desk.requester)
            services.consult(desk.operator, ticket, "Apps?", group=desk.apps)
        with query_budget(LIST_QUERIES, exact=True) as many:
            response = client.get("/desk/consultations/")
        assert response.content.count(b"#consultation") >= 40
        assert_same_count(few, many)
