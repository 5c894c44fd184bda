"""Problem management's pages and the ticket page's section, per role, with their budgets."""

from __future__ import annotations

import pytest
from django.test import Client

from tuki.knowledge.models import Article
from tuki.lib.testing import assert_same_count, query_budget
from tuki.problems import services
from tuki.problems.models import AnalysisNote, RadarDismissal
from tuki.problems.tests.conftest import make_incident, start
from tuki.tickets.models import LinkType, TicketLink

pytestmark = pytest.mark.django_db

PAGES = ["/problems/", "/problems/radar/", "/problems/known-errors/"]
LIST_QUERIES = 10
RADAR_QUERIES = 9
SECTION_QUERIES = 16


def section_url(ticket) -> str:
    return f"/problems/tickets/{ticket.pk}/"


class TestWhoMayEnter:
    @pytest.mark.parametrize("page", PAGES)
    def test_anonymous_visitors_sign_in_first(self, desk, page):
        response = Client().get(page)
        assert response.status_code == 302 and "/login/" in response["Location"]

    @pytest.mark.parametrize("page", PAGES)
    @pytest.mark.parametrize("who", ["requester", "colleague", "outsider"])
    def test_requesters_get_a_404(self, desk, page, who):
        assert desk.client_for(getattr(desk, who)).get(page).status_code == 404

    @pytest.mark.parametrize("page", PAGES)
    @pytest.mark.parametrize("who", ["operator", "specialist", "other_agent", "admin"])
    def test_agents_and_administrators_enter(self, desk, page, who):
        assert desk.client_for(getattr(desk, who)).get(page).status_code == 200

    def test_an_agent_of_another_group_does_not_see_the_desks_problems(self, desk, board):
        html = desk.client_for(desk.other_agent).get("/problems/?state=all").content.decode()
        assert board.problem.ticket.number not in html
        html = desk.client_for(desk.operator).get("/problems/?state=all").content.decode()
        assert board.problem.ticket.number in html

    def test_the_section_is_a_404_for_whoever_may_not_see_the_ticket(self, desk, board):
        url = section_url(board.problem.ticket)
        assert desk.client_for(desk.other_agent).get(url).status_code == 404
        assert desk.client_for(desk.requester).get(section_url(board.first)).status_code == 404
        assert Client().get(url).status_code == 302

    @pytest.mark.parametrize("who", ["requester", "other_agent"])
    def test_writes_to_an_invisible_problem_are_404s_and_write_nothing(self, desk, board, who):
        client = desk.client_for(getattr(desk, who))
        pk = board.problem.pk
        assert (
            client.post(f"/problems/{pk}/notes/", {"body": "x", "method": "note"}).status_code
            == 404
        )
        assert client.post(f"/problems/{pk}/edit/", {"root_cause": "x"}).status_code == 404
        assert client.post(f"/problems/{pk}/known-error/").status_code == 404
        assert client.post(f"/problems/{pk}/resolve/", {"code": "solved"}).status_code == 404
        assert not AnalysisNote.objects.exists() and not Article.objects.exists()


class TestBudgets:
    def test_the_list_keeps_its_budget_whatever_the_rows(self, desk):
        client = desk.client_for(desk.operator)
        client.get("/problems/")
        services.create_problem(desk.operator, title="One")
        with query_budget(LIST_QUERIES) as few:
            client.get("/problems/")
        for n in range(12):
            problem = services.create_problem(desk.operator, title=f"Problem {n}")
            services.link_incidents(desk.operator, problem, [make_incident(desk, f"Inc {n}")])
        with query_budget(LIST_QUERIES) as many:
            html = client.get("/problems/").content.decode()
        assert_same_count(few, many)
        assert "Problem 11" in html

    def test_the_radar_keeps_its_budget(self, desk):
        client = desk.client_for(desk.operator)
        client.get("/problems/radar/")
        for n in range(6):
            make_incident(desk, f"VPN disconnects again {n}", "The VPN drops.")
        with query_budget(RADAR_QUERIES):
            html = client.get("/problems/radar/").content.decode()
        assert "Create problem" in html

    def test_the_problem_section_keeps_its_budget(self, desk, board):
        services.add_analysis_note(desk.operator, board.problem, method="note", body="Seen")
        client = desk.client_for(desk.operator)
        client.get(section_url(board.problem.ticket))
        with query_budget(SECTION_QUERIES):
            html = client.get(section_url(board.problem.ticket)).content.decode()
        assert board.first.number in html and "Seen" in html

    def test_the_ticket_page_spends_nothing_on_the_section(self, desk, board):
        from tuki.tickets.tests.test_views_ticket import TICKET_PAGE_QUERIES

        client = desk.client_for(desk.operator)
        for ticket in (board.problem.ticket, board.first):
            client.get(ticket.get_absolute_url())
            with query_budget(TICKET_PAGE_QUERIES):
                html = client.get(ticket.get_absolute_url()).content.decode()
            assert f'hx-get="{section_url(ticket)}"' in html


class TestFlows:
    def test_an_incident_is_linked_to_a_problem_by_number(self, desk, board):
        fresh = make_incident(desk, "Attachment bounced")
        client = desk.client_for(desk.operator)
        response = client.post(
            f"/problems/tickets/{fresh.pk}/link/", {"problem": board.problem.ticket.number}
        )
        assert response.status_code == 302
        assert services.problem_of_incident(fresh).pk == board.problem.pk
        html = client.get(section_url(fresh)).content.decode()
        assert board.problem.ticket.number in html

    def test_an_unknown_problem_number_is_an_error_not_a_link(self, desk, incident):
        client = desk.client_for(desk.operator)
        response = client.post(
            f"/problems/tickets/{incident.pk}/link/", {"problem": "PRB-999"}, follow=True
        )
        assert "No open problem" in response.content.decode()
        assert not TicketLink.objects.filter(source=incident).exists()

    def test_a_problem_is_created_from_an_incident(self, desk, incident):
        client = desk.client_for(desk.operator)
        response = client.post(f"/problems/tickets/{incident.pk}/create/")
        problem = services.problem_of_incident(incident)
        assert problem is not None and response["Location"] == problem.get_absolute_url()

    def test_the_queue_selection_links_incidents_to_a_problem(self, desk, board):
        a, b = make_incident(desk, "One"), make_incident(desk, "Two")
        client = desk.client_for(desk.operator)
        html = client.post("/problems/link/", {"tickets": [a.pk, b.pk]}).content.decode()
        assert f"/problems/{board.problem.pk}/link/" in html
        client.post(f"/problems/{board.problem.pk}/link/", {"incidents": [a.pk, b.pk]})
        linked = TicketLink.objects.filter(target=board.problem.ticket, type=LinkType.CAUSED_BY)
        assert {a.pk, b.pk} <= set(linked.values_list("source_id", flat=True))

    def test_the_queue_offers_the_link_action(self, desk, board):
        html = desk.client_for(desk.operator).get("/desk/tickets/").content.decode()
        assert 'formaction="/problems/link/"' in html

    def test_a_proposal_becomes_a_problem_with_its_incidents(self, desk):
        wave = [make_incident(desk, f"VPN disconnects {n}", "VPN client drops.") for n in range(3)]
        client = desk.client_for(desk.operator)
        response = client.post(
            "/problems/radar/create/", {"incidents": [t.pk for t in wave], "title": "VPN drops"}
        )
        assert response.status_code == 302
        problem = services.problem_of_incident(wave[0])
        assert problem.title == "VPN drops"
        assert all(services.problem_of_incident(t).pk == problem.pk for t in wave)

    def test_a_dismissed_proposal_leaves_the_radar(self, desk):
        wave = [make_incident(desk, f"VPN disconnects {n}", "VPN client drops.") for n in range(3)]
        client = desk.client_for(desk.operator)
        client.post("/problems/radar/dismiss/", {"incidents": [t.pk for t in wave]})
        assert RadarDismissal.objects.count() == 3
        assert "radar-empty" in client.get("/problems/radar/").content.decode()

    def test_details_notes_known_error_and_resolve_from_the_section(self, desk, board):
        client = desk.client_for(desk.operator)
        pk = board.problem.pk
        client.post(
            f"/problems/{pk}/edit/",
            {
                "root_cause": "Size limit",
                "workaround": "Use a link",
                "root_cause_category": "configuration",
                "quiet_days": "",
            },
        )
        client.post(f"/problems/{pk}/notes/", {"method": "five_whys", "body": "Why? The limit."})
        client.post(f"/problems/{pk}/known-error/")
        board.problem.refresh_from_db()
        assert board.problem.is_known_error and board.problem.root_cause == "Size limit"
        html = client.get("/problems/known-errors/?q=link").content.decode()
        assert board.problem.ticket.number in html and "Use a link" in html
        start(desk, board.problem)
        client.post(f"/problems/{pk}/resolve/", {"code": "solved", "incidents": "resolve"})
        board.first.refresh_from_db()
        assert not board.first.is_active

    def test_a_bad_field_shows_an_error_and_saves_nothing(self, desk, board):
        client = desk.client_for(desk.operator)
        response = client.post(
            f"/problems/{board.problem.pk}/edit/",
            {"root_cause": "x", "quiet_days": "9999"},
            follow=True,
        )
        assert "Enter a number of days" in response.content.decode()
        board.problem.refresh_from_db()
        assert board.problem.root_cause == ""
