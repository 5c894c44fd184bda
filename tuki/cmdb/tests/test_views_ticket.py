"""The ticket page's "Affected items" section (tickets/sections.py, filled by the CMDB): who
sees and changes it, naming and removing items, and what else is affected; and the item
page's impact section."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tuki.cmdb import services
from tuki.cmdb.models import AffectedItem
from tuki.lib.testing import Queries, assert_same_count, query_budget
from tuki.sla.models import Agreement, Service
from tuki.tickets import services as ticket_services
from tuki.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(ticket) -> str:
    return f"/cmdb/tickets/{ticket.pk}/affected/"


class TestTheTicketPage:
    def test_agents_get_the_section_that_loads_itself(self, desk, cmdb, escalated):
        html = desk.client_for(desk.specialist).get(escalated.get_absolute_url()).content.decode()
        assert 'id="affected-items"' in html and f'hx-get="{url(escalated)}"' in html

    def test_the_ticket_page_keeps_its_query_budget(self, desk, cmdb, escalated):
        from tuki.tickets.tests.test_views_ticket import TICKET_PAGE_QUERIES

        services.name_affected(None, escalated, [cmdb.web1, cmdb.db])
        client = desk.client_for(desk.operator)
        client.get(escalated.get_absolute_url())
        with query_budget(TICKET_PAGE_QUERIES, exact=True):
            client.get(escalated.get_absolute_url())


class TestWhoMaySeeTheSection:
    def test_anonymous_visitors_sign_in_first(self, desk, cmdb, escalated):
        assert Client().get(url(escalated)).status_code == 302
        assert Client().post(url(escalated), {"ci": cmdb.web1.pk}).status_code == 302
        assert not AffectedItem.objects.exists()

    @pytest.mark.parametrize("who", ["requester", "colleague", "outsider"])
    def test_requesters_get_a_404_even_for_their_own_ticket(self, desk, cmdb, escalated, who):
        client = desk.client_for(getattr(desk, who))
        assert client.get(url(escalated)).status_code == 404
        assert client.post(url(escalated), {"ci": cmdb.web1.pk}).status_code == 404
        assert not AffectedItem.objects.exists()

    def test_an_agent_who_may_not_see_the_ticket_gets_a_404(self, desk, cmdb, escalated):
        client = desk.client_for(desk.other_agent)
        assert client.get(url(escalated)).status_code == 404
        assert client.post(url(escalated) + "remove/", {"ci": cmdb.web1.pk}).status_code == 404

    @pytest.mark.parametrize("who", ["operator", "specialist", "lead", "admin"])
    def test_agents_of_the_ticket_name_and_remove_items(self, desk, cmdb, escalated, who):
        client = desk.client_for(getattr(desk, who))
        response = client.post(url(escalated), {"ci": [cmdb.web1.pk, cmdb.cluster.pk]}, **HTMX)
        assert response.status_code == 200 and "ticket-changed" in response["HX-Trigger"]
        assert {i.name for i in response.context["items"]} == {"web1", "Web cluster"}
        event = TicketEvent.objects.filter(ticket=escalated, field="affected_items").get()
        assert event.new_value == "Web cluster, web1"
        response = client.post(url(escalated) + "remove/", {"ci": cmdb.web1.pk})
        assert response.status_code == 302 and response.url == escalated.get_absolute_url()
        assert list(AffectedItem.objects.values_list("ci__name", flat=True)) == ["Web cluster"]

    def test_an_external_agent_sees_only_its_items(self, desk, cmdb, escalated):
        escalated = ticket_services.escalate_ticket(
            desk.specialist, escalated, group=cmdb.supplier_group
        )
        services.name_affected(None, escalated, [cmdb.web1, cmdb.db])
        client = desk.client_for(cmdb.supplier)
        response = client.get(url(escalated))
        assert response.status_code == 200
        assert [i.name for i in response.context["items"]] == ["db1"]
        assert response.context["hidden_count"] == 1 and b"web1" not in response.content
        # Nor may it name or remove one it may not read.
        assert client.post(url(escalated) + "remove/", {"ci": cmdb.web1.pk}).status_code == 404
        response = client.post(url(escalated), {"ci": cmdb.cluster.pk}, **HTMX)
        assert response.status_code == 422
        assert AffectedItem.objects.filter(ticket=escalated).count() == 2


class TestBadInput:
    @pytest.mark.parametrize("ci", ["", "x", "²", "99999999999999999999", "999999"])
    def test_nothing_named_nothing_written(self, desk, cmdb, escalated, ci):
        client = desk.client_for(desk.operator)
        assert client.post(url(escalated), {"ci": ci}, **HTMX).status_code == 422
        response = client.post(url(escalated), {"ci": ci})
        assert response.status_code == 302
        assert not AffectedItem.objects.exists()
        assert client.post(url(escalated) + "remove/", {"ci": ci}).status_code == 404

    def test_a_get_to_remove_changes_nothing(self, desk, cmdb, escalated):
        services.name_affected(None, escalated, [cmdb.web1])
        response = desk.client_for(desk.operator).get(url(escalated) + "remove/?ci=1")
        assert response.status_code == 302 and AffectedItem.objects.count() == 1


class TestAlsoAffected:
    def test_services_clients_and_other_open_tickets_the_reader_may_see(
        self, desk, cmdb, escalated
    ):
        service = Service.objects.create(name="Shop")
        services.update_item(desk.admin, cmdb.shop, service=service)
        agreement = Agreement.objects.create(
            name="Acme 2026",
            organisation=desk.acme,
            valid_from=timezone.localdate() - timedelta(days=9),
        )
        agreement.services.add(service)
        services.name_affected(None, escalated, [cmdb.db])
        other = ticket_services.create_ticket(
            desk.operator, title="Shop is down", requester=desk.colleague
        )
        other = ticket_services.escalate_ticket(desk.operator, other, group=desk.network_hel)
        hidden = ticket_services.create_ticket(
            desk.other_agent, title="Apps see it", requester=desk.requester
        )
        hidden = ticket_services.escalate_ticket(desk.other_agent, hidden, group=desk.apps)
        services.name_affected(None, other, [cmdb.shop])
        services.name_affected(None, hidden, [cmdb.app])
        response = desk.client_for(desk.specialist).get(url(escalated))
        impact = response.context["impact"]
        assert [(r["ci"].name, r["state"]) for r in impact["services"]] == [
            ("Web shop", "down"),
            ("Shop application", "down"),
        ]
        assert [o.name for o in impact["organisations"]] == ["Acme Oy"]
        assert impact["agreements"] == [agreement]
        assert impact["other_tickets"] == [other]
        html = response.content.decode()
        assert 'id="affected-also"' in html and other.number in html and hidden.number not in html

    def test_a_cluster_member_degrades_and_maintenance_is_not_walked_past(
        self, desk, cmdb, escalated
    ):
        now = timezone.now()
        services.update_item(desk.admin, cmdb.cluster, quorum=1)  # web2 alone keeps it up
        services.name_affected(None, escalated, [cmdb.web1])
        impact = desk.client_for(desk.operator).get(url(escalated)).context["impact"]
        states = {r["ci"].name: r["state"] for r in impact["services"] + impact["items"]}
        assert states == {
            "Web cluster": "degraded",
            "Shop application": "degraded",
            "Web shop": "degraded",
        }
        services.plan_maintenance(
            desk.admin,
            cmdb.app,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=1),
        )
        impact = desk.client_for(desk.operator).get(url(escalated)).context["impact"]
        assert [r["ci"].name for r in impact["maintenance"]] == ["Shop application"]
        assert [r["ci"].name for r in impact["services"]] == []


SECTION_QUERIES = 25


class TestSectionQueryBudget:
    def measure(self, desk, ticket) -> Queries:
        client = desk.client_for(desk.specialist)
        client.get(url(ticket))
        with query_budget(SECTION_QUERIES) as queries:
            assert client.get(url(ticket)).status_code == 200
        return queries

    def test_the_same_queries_for_few_or_many_items_and_tickets(self, desk, cmdb, escalated):
        services.name_affected(None, escalated, [cmdb.web1])
        ticket = ticket_services.create_ticket(desk.operator, title="T", requester=desk.requester)
        ticket = ticket_services.escalate_ticket(desk.operator, ticket, group=desk.network_hel)
        services.name_affected(None, ticket, [cmdb.shop])
        few = self.measure(desk, escalated)
        services.name_affected(None, escalated, [cmdb.web2, cmdb.db, cmdb.app])
        for n in range(10):
            ticket = ticket_services.create_ticket(
                desk.operator, title=f"T{n}", requester=desk.requester
            )
            ticket = ticket_services.escalate_ticket(desk.operator, ticket, group=desk.network_hel)
            services.name_affected(None, ticket, [cmdb.shop])
        assert_same_count(few, self.measure(desk, escalated))


class TestTheItemsImpact:
    def test_what_its_failure_reaches_and_what_it_needs(self, desk, cmdb):
        response = desk.client_for(desk.operator).get(f"/cmdb/{cmdb.app.pk}/")
        impact = response.context["impact"]
        assert [(r["ci"].name, r["state"]) for r in impact["services"]] == [("Web shop", "down")]
        assert [(r["ci"].name, r["depth"]) for r in impact["needs"]] == [
            ("Web cluster", 1),
            ("db1", 1),
            ("web1", 2),
            ("web2", 2),
        ]
        assert b'id="ci-impact"' in response.content

    def test_an_external_agent_is_told_only_of_what_it_may_read(self, desk, cmdb):
        impact = desk.client_for(cmdb.supplier).get(f"/cmdb/{cmdb.db.pk}/").context["impact"]
        assert impact["services"] == [] and impact["hidden"] == 2
