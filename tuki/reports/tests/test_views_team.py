"""The team view: who may open it, what each number counts, the tickets behind each number,
today's intake against capacity, and a fixed number of queries whatever the rows."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import Client

from tuki.accounts.models import SupportGroup
from tuki.conftest import make_user
from tuki.lib.testing import assert_same_count, query_budget
from tuki.sla.models import ClockState, Metric, SlaClock
from tuki.tickets import services
from tuki.tickets.models import Status, Ticket

NOW = datetime.fromisoformat("2026-03-11T10:00:00+00:00")  # a Wednesday
# The session and user; whether the viewer manages the desk, the group (access) and whether
# they have several teams (the "All teams" link); the status ids; the viewer's groups
# (visibility); the per-agent counts; the people; today's intake; the capacity's days; the
# oldest and the at-risk lists and the organisations of their rows; the notification bell.
TEAM_QUERIES = 15


def url(group: SupportGroup) -> str:
    return f"/reports/team/{group.pk}/"


def list_url(group: SupportGroup, show: str, agent: object = "") -> str:
    return f"/reports/team/{group.pk}/tickets/?show={show}&agent={agent}"


@pytest.fixture
def desk_manager(desk):
    manager = make_user("dora@tuki.test", "Dora Deskmanager", is_agent=True, sees_all_tickets=True)
    desk.service_desk.manager = manager
    desk.service_desk.save()
    desk.service_desk.members.add(manager)
    return manager


def work(desk, count: int, *, assignee=None, status: str = "") -> list[Ticket]:
    """`count` incidents escalated to Network Helsinki, assigned or not, in a status."""
    made = []
    for n in range(count):
        ticket = services.create_ticket(
            desk.operator, title=f"Switch {n} down", requester=desk.requester, category=desk.vpn
        )
        ticket = services.escalate_ticket(
            desk.operator, ticket, group=desk.network_hel, reason="Network"
        )
        if assignee is not None:
            ticket = services.assign_ticket(desk.lead, ticket, assignee=assignee)
        if status:
            ticket = services.change_status(desk.lead, ticket, status)
        made.append(ticket)
    return made


def clock(ticket: Ticket, *, warned: bool, late: bool) -> SlaClock:
    now = NOW
    return SlaClock.objects.create(
        ticket=ticket,
        metric=Metric.RESOLUTION,
        target_minutes=480,
        started_at=now - timedelta(hours=8),
        warn_at=now - timedelta(hours=1) if warned else now + timedelta(hours=1),
        deadline=now - timedelta(minutes=5) if late else now + timedelta(hours=2),
        state=ClockState.RUNNING,
    )


def figure(response, element_id: str) -> int:
    match = re.search(rf'id="{element_id}">(\d+)<', response.content.decode())
    assert match, element_id
    return int(match.group(1))


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


class TestWhoMayOpenIt:
    def test_anonymous_visitors_sign_in_first(self, desk):
        for path in ("/reports/team/", url(desk.network_hel), list_url(desk.network_hel, "active")):
            response = Client().get(path)
            assert response.status_code == 302 and response.url.startswith("/login/")

    def test_requesters_are_sent_to_the_portal(self, desk):
        for user in (desk.requester, desk.colleague, desk.outsider):
            response = desk.client_for(user).get(url(desk.network_hel))
            assert response.status_code == 302 and response.url == "/portal/"

    def test_agents_who_lead_no_group_get_404(self, desk):
        for user in (desk.operator, desk.specialist, desk.other_agent):
            client = desk.client_for(user)
            assert client.get("/reports/team/").status_code == 404
            assert client.get(url(desk.network_hel)).status_code == 404
            assert client.get(list_url(desk.network_hel, "active")).status_code == 404

    def test_a_lead_sees_their_group_only(self, desk):
        client = desk.client_for(desk.lead)
        response = client.get("/reports/team/")
        assert response.status_code == 302 and response.url == url(desk.network_hel)
        assert client.get(url(desk.network_hel)).status_code == 200
        assert client.get(list_url(desk.network_hel, "breached")).status_code == 200
        for other in (desk.apps, desk.service_desk, desk.network_buc):
            assert client.get(url(other)).status_code == 404
            assert client.get(list_url(other, "active")).status_code == 404

    def test_the_desk_manager_and_administrators_see_every_group(self, desk, desk_manager):
        for user in (desk_manager, desk.admin):
            client = desk.client_for(user)
            response = client.get("/reports/team/")
            assert response.status_code == 200
            for group in (desk.service_desk, desk.network_hel, desk.network_buc, desk.apps):
                assert f'href="{url(group)}"' in response.content.decode()
                assert client.get(url(group)).status_code == 200

    def test_an_inactive_group_and_nonsense_ids_are_404(self, desk, desk_manager):
        desk.apps.is_active = False
        desk.apps.save()
        client = desk.client_for(desk_manager)
        assert client.get(url(desk.apps)).status_code == 404
        assert client.get("/reports/team/99999999999999999999/").status_code == 404
        response = client.get(list_url(desk.network_hel, "active", "x1"))
        assert response.status_code == 404
        # An unknown `show` falls back to the active tickets.
        assert client.get(list_url(desk.network_hel, "nonsense")).status_code == 200

    def test_the_dashboard_links_leads_and_managers_to_their_team(self, desk, desk_manager):
        for user in (desk.lead, desk_manager, desk.admin):
            assert 'id="team-view-link"' in desk.client_for(user).get("/desk/").content.decode()
        for user in (desk.operator, desk.specialist):
            assert 'id="team-view-link"' not in desk.client_for(user).get("/desk/").content.decode()


class TestTheFigures:
    def test_each_number_counts_the_tickets_its_link_lists(self, desk, frozen):
        mine = work(desk, 3, assignee=desk.specialist)
        work(desk, 1, assignee=desk.specialist, status="pending_customer")
        loose = work(desk, 2)
        clock(mine[0], warned=True, late=False)  # at risk
        clock(mine[1], warned=True, late=True)  # breached (counted once, as breached)
        SlaClock.objects.create(  # breached and marked so by the engine
            ticket=loose[0],
            metric=Metric.FIRST_RESPONSE,
            target_minutes=60,
            started_at=NOW - timedelta(hours=3),
            deadline=NOW - timedelta(hours=2),
            state=ClockState.BREACHED,
        )
        client = desk.client_for(desk.lead)
        response = client.get(url(desk.network_hel))
        assert response.status_code == 200
        view = response.context["team"]
        assert (view.total.active, view.total.pending) == (6, 1)
        assert (view.total.at_risk, view.total.breached) == (1, 2)
        assert (view.unassigned.active, view.unassigned.breached) == (2, 1)
        by_name = {load.agent.full_name: load for load in view.agents}
        sanna = by_name["Sanna Specialist"]
        assert (sanna.active, sanna.pending, sanna.at_risk, sanna.breached) == (4, 1, 1, 1)
        assert by_name["Liisa Lead"].active == 0  # members without work are listed too
        assert figure(response, "team-active") == 6
        assert figure(response, "team-unassigned") == 2
        assert figure(response, "team-at-risk") == 1
        assert figure(response, "team-breached") == 2
        # Every number opens exactly its tickets.
        for show, agent, expected in [
            ("active", "", 6),
            ("active", "none", 2),
            ("active", desk.specialist.pk, 4),
            ("pending", desk.specialist.pk, 1),
            ("at_risk", "", 1),
            ("breached", "", 2),
            ("breached", "none", 1),
            ("at_risk", desk.lead.pk, 0),
        ]:
            page = client.get(list_url(desk.network_hel, show, agent))
            assert page.status_code == 200
            assert page.context["page"].paginator.count == expected, (show, agent)
        listed = client.get(list_url(desk.network_hel, "at_risk")).context["page"].object_list
        assert [t.pk for t in listed] == [mine[0].pk]
        # The lists of the page: the urgent first, the oldest open tickets.
        assert {t.pk for t in view.urgent} == {mine[0].pk, mine[1].pk, loose[0].pk}
        assert view.oldest[0].pk == mine[0].pk

    def test_tickets_the_viewer_may_not_see_are_not_counted(self, desk, frozen):
        work(desk, 2, assignee=desk.specialist)
        # The lead leaves the group: as a manager without membership they see nothing of it.
        desk.network_hel.members.remove(desk.lead)
        response = desk.client_for(desk.lead).get(url(desk.network_hel))
        assert response.context["team"].total.active == 0
        assert (
            desk.client_for(desk.lead)
            .get(list_url(desk.network_hel, "active"))
            .context["page"]
            .paginator.count
            == 0
        )

    def test_todays_intake_against_the_median_day_of_the_last_four_weeks(self, desk, frozen):
        today = work(desk, 3)
        # Resolved on three past days: 2, 4 and 5 tickets; the median day is 4.
        older = work(desk, 11)
        days = [1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3]
        for ticket, back in zip(older, days, strict=True):
            at = NOW - timedelta(days=back)
            Ticket.objects.filter(pk=ticket.pk).update(
                created_at=at - timedelta(hours=2),
                resolved_at=at,
                updated_at=at,
                status=Status.objects.get(key="resolved"),
            )
        # Resolved before the four weeks: not counted.
        Ticket.objects.filter(pk=today[2].pk).update(
            resolved_at=NOW - timedelta(days=40), updated_at=NOW
        )
        response = desk.client_for(desk.lead).get(url(desk.network_hel))
        view = response.context["team"]
        assert view.intake == 3
        assert view.capacity == 4.0
        assert view.intake_share == 75
        assert "of 4 a typical day" in response.content.decode()
        page = desk.client_for(desk.lead).get(list_url(desk.network_hel, "intake"))
        assert {t.pk for t in page.context["page"].object_list} == {t.pk for t in today}

    def test_the_index_counts_each_group(self, desk, desk_manager, frozen):
        work(desk, 2)
        work(desk, 1, assignee=desk.specialist)
        response = desk.client_for(desk_manager).get("/reports/team/")
        rows = {group.pk: load for group, load in response.context["rows"]}
        assert rows[desk.network_hel.pk].active == 3
        assert rows[desk.network_hel.pk].unassigned == 2
        assert rows[desk.apps.pk].active == 0


class TestQueryBudget:
    def test_the_page_costs_the_same_with_few_and_many_tickets(self, desk, desk_manager, frozen):
        client = desk.client_for(desk_manager)
        work(desk, 2, assignee=desk.specialist)
        client.get(url(desk.network_hel))  # warm the session
        with query_budget(TEAM_QUERIES, exact=True) as few:
            client.get(url(desk.network_hel))
        tickets = work(desk, 12, assignee=desk.lead) + work(desk, 12)
        for ticket in tickets[::3]:
            clock(ticket, warned=True, late=False)
        with query_budget(TEAM_QUERIES, exact=True) as many:
            response = client.get(url(desk.network_hel))
        assert response.context["team"].total.active == 26
        assert_same_count(few, many)

    def test_the_ticket_list_and_the_index_have_budgets_too(self, desk, desk_manager, frozen):
        client = desk.client_for(desk_manager)
        work(desk, 3, assignee=desk.specialist)
        client.get("/reports/team/")
        with query_budget(12):
            client.get("/reports/team/")
        with query_budget(14):
            client.get(list_url(desk.network_hel, "active", desk.specialist.pk))
