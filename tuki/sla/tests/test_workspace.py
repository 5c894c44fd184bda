"""SLA in the agent workspace: the ticket page's clocks, queue badges and sort, the
dashboard's at-risk list, and warnings in the timeline."""

from __future__ import annotations

import pytest
from django.test import Client

from tuki.lib.testing import query_budget
from tuki.sla.models import Metric, SlaClock
from tuki.sla.services import fire_timer
from tuki.sla.tests.conftest import hel
from tuki.tickets import services
from tuki.tickets.tests.test_views_queue import QUEUE_QUERIES

pytestmark = pytest.mark.django_db

QUEUE = "/desk/tickets/"
DASHBOARD = "/desk/"


def page(ticket) -> str:
    return f"/desk/tickets/{ticket.number}/"


@pytest.fixture
def ticket(desk, sla, frozen):
    return services.create_ticket(
        desk.operator, title="VPN", requester=desk.requester, group=desk.network_hel
    )


class TestTicketPage:
    @pytest.mark.parametrize("who", ["operator", "specialist", "lead", "admin"])
    def test_agents_who_see_the_ticket_see_its_clocks_explained(self, desk, ticket, frozen, who):
        frozen.at(hel(3, 9, 30))
        html = desk.client_for(getattr(desk, who)).get(page(ticket)).content.decode()
        assert 'id="sla-clocks"' in html
        assert "Resolution" in html and "Group target (OLA): Network Helsinki" in html
        assert "Policy Standard applies because it applies to every ticket." in html
        assert "Time counts by Helsinki office (the policy&#x27;s calendar)." in html
        # resolution: 8 h of business time from 09:00, due Tuesday 09:00 in Helsinki
        assert (
            "7 h 30 min business time left" in html and "due 4 Mar 2025, 07:00" in html
        )  # the operator reads UTC

    @pytest.mark.parametrize("who", ["requester", "colleague", "outsider", "other_agent"])
    def test_others_get_no_page_at_all(self, desk, ticket, who):
        assert desk.client_for(getattr(desk, who)).get(page(ticket)).status_code == 404

    def test_anonymous_visitors_sign_in_first(self, ticket):
        assert Client().get(page(ticket)).status_code == 302

    def test_pauses_and_recomputations_are_in_the_history(self, desk, sla, ticket, frozen):
        sla.policy.targets.filter(priority=1).update(resolution_minutes=120)
        frozen.at(hel(3, 10))
        services.change_status(desk.operator, ticket, "pending_customer")
        frozen.at(hel(3, 11))
        services.update_ticket(desk.operator, ticket, impact=1, urgency=1)
        html = desk.client_for(desk.operator).get(page(ticket)).content.decode()
        assert "Paused: the status became Waiting for customer." in html
        assert "Recomputed: the priority changed from 4 - Low to 1 - Critical." in html
        assert "Target 1 business day → 2 h." in html  # a business day is 8 h here
        assert "paused with 1 h business time left" in html

    def test_a_ticket_without_a_policy_says_so(self, desk, incident):
        html = desk.client_for(desk.operator).get(page(incident)).content.decode()
        assert "No service level applies to this ticket." in html

    def test_a_warning_is_in_the_timeline(self, desk, ticket):
        clock = SlaClock.objects.get(ticket=ticket, metric=Metric.RESOLUTION)
        fire_timer(clock.timers.get(percent=75).pk, now=hel(3, 15))
        html = desk.client_for(desk.operator).get(page(ticket)).content.decode()
        assert "SLA warning: 75% of the resolution time is used" in html


class TestQueue:
    def test_each_row_has_a_badge_with_time_left_and_colour(self, desk, ticket, frozen):
        frozen.at(hel(3, 9, 50))  # first response: 45 min warning passed, 10 min left
        html = desk.client_for(desk.operator).get(QUEUE).content.decode()
        assert (
            'class="badge text-bg-warning ws-sla"' in html and "10 min business time left" in html
        )

    def test_overdue_is_red(self, desk, ticket, frozen):
        frozen.at(hel(3, 10, 5))
        html = desk.client_for(desk.operator).get(QUEUE).content.decode()
        assert "text-bg-danger ws-sla" in html and "overdue by 5 min business time" in html

    def test_sorted_by_next_deadline_tickets_without_clocks_last(self, desk, sla, frozen):
        none = services.create_ticket(desk.operator, title="Old", requester=desk.requester)
        SlaClock.objects.filter(ticket=none).delete()
        frozen.at(hel(3, 9, 30))
        later = services.create_ticket(desk.operator, title="Later", requester=desk.requester)
        frozen.at(hel(3, 9, 10))
        sooner = services.create_ticket(desk.operator, title="Sooner", requester=desk.requester)
        client = desk.client_for(desk.operator)
        rows = list(client.get(QUEUE, {"sort": "deadline", "state": "all"}).context["page"])
        assert rows == [sooner, later, none]
        rows = list(client.get(QUEUE, {"sort": "-deadline", "state": "all"}).context["page"])
        assert rows == [later, sooner, none]

    def test_clocks_cost_no_extra_query(self, desk, sla, frozen):
        for n in range(12):
            services.create_ticket(desk.operator, title=f"T{n}", requester=desk.requester)
        client = desk.client_for(desk.operator)
        client.get(QUEUE)
        # At most: these tickets have no category, so none is read for them.
        with query_budget(QUEUE_QUERIES):
            assert client.get(QUEUE, {"sort": "deadline"}).status_code == 200
        # Their readings need no query either: the schedule of the calendar the rows name,
        # at the version they read, is kept by the process (here since the first request).
        with query_budget() as queries:
            client.get(QUEUE, {"sort": "deadline"})
        assert not [sql for sql in queries.sql if 'FROM "calendars_calendar"' in sql]


class TestDashboard:
    def test_tickets_past_a_warning_are_at_risk(self, desk, ticket, sla, frozen):
        calm = services.create_ticket(
            desk.operator, title="Calm", requester=desk.requester, group=desk.network_hel
        )
        SlaClock.objects.filter(ticket=calm).update(warn_at=hel(10, 9), deadline=hel(10, 10))
        frozen.at(hel(3, 9, 50))
        response = desk.client_for(desk.specialist).get(DASHBOARD)
        assert response.context["at_risk"] == [ticket]
        assert "SLA at risk" in response.content.decode()

    def test_other_groups_do_not_see_it(self, desk, ticket, frozen):
        frozen.at(hel(3, 9, 50))
        response = desk.client_for(desk.other_agent).get(DASHBOARD)
        assert response.context["at_risk"] == []
        assert "SLA at risk" not in response.content.decode()
