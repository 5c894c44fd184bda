"""The CMDB list, an item's page and its drawing's JSON: who may read them, what they show,
and their query budgets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tuki.cmdb import panels, services
from tuki.cmdb.models import ConfigurationItem
from tuki.cmdb.tests.conftest import make_item
from tuki.lib.testing import Queries, assert_same_count, query_budget
from tuki.tickets import services as ticket_services

pytestmark = pytest.mark.django_db

READERS = ["operator", "specialist", "lead", "other_agent", "admin"]
NOT_AGENTS = ["requester", "colleague", "outsider"]


def item_url(ci: ConfigurationItem) -> str:
    return f"/cmdb/{ci.pk}/"


class TestWhoMayRead:
    @pytest.mark.parametrize("path", ["/cmdb/", "item", "graph"])
    def test_anonymous_visitors_sign_in_first(self, desk, cmdb, path):
        url = {"item": item_url(cmdb.web1), "graph": f"/cmdb/{cmdb.web1.pk}/graph.json"}
        response = Client().get(url.get(path, path))
        assert response.status_code == 302 and response.url.startswith("/login/")

    @pytest.mark.parametrize("who", NOT_AGENTS)
    @pytest.mark.parametrize("path", ["/cmdb/", "item", "graph"])
    def test_requesters_get_a_404(self, desk, cmdb, who, path):
        url = {"item": item_url(cmdb.web1), "graph": f"/cmdb/{cmdb.web1.pk}/graph.json"}
        response = desk.client_for(getattr(desk, who)).get(url.get(path, path))
        assert response.status_code == 404

    @pytest.mark.parametrize("who", READERS)
    def test_agents_read_every_item(self, desk, cmdb, who):
        client = desk.client_for(getattr(desk, who))
        listing = client.get("/cmdb/")
        assert listing.status_code == 200
        assert len(listing.context["page"].object_list) == 6
        page = client.get(item_url(cmdb.web1))
        assert page.status_code == 200 and b"web1.example.com" in page.content

    def test_an_external_agent_reads_only_the_items_of_its_groups(self, desk, cmdb):
        client = desk.client_for(cmdb.supplier)
        listing = client.get("/cmdb/")
        assert [ci.name for ci in listing.context["page"].object_list] == ["db1"]
        assert client.get(item_url(cmdb.web1)).status_code == 404
        assert client.get(f"/cmdb/{cmdb.web1.pk}/graph.json").status_code == 404
        page = client.get(item_url(cmdb.db))
        assert page.status_code == 200
        # Its relation to the application, which the supplier may not read, is not shown.
        assert page.context["relations"] == [] and b"Shop application" not in page.content
        graph = client.get(f"/cmdb/{cmdb.db.pk}/graph.json").json()
        assert [n["name"] for n in graph["nodes"]] == ["db1"] and graph["edges"] == []

    def test_an_unknown_item_is_a_404(self, desk, cmdb):
        assert desk.client_for(desk.operator).get("/cmdb/999999/").status_code == 404


class TestTheList:
    def names(self, desk, query: str) -> list[str]:
        response = desk.client_for(desk.operator).get("/cmdb/" + query)
        assert response.status_code == 200
        return [ci.name for ci in response.context["page"].object_list]

    def test_filters(self, desk, cmdb):
        assert self.names(desk, "?q=WEB1.example") == ["web1"]
        assert self.names(desk, "?q=SN-WEB") == ["web1"]
        assert self.names(desk, "?layer=business") == ["Web shop"]
        assert self.names(desk, f"?ci_class={cmdb.db.ci_class_id}") == ["db1"]
        assert self.names(desk, f"?support_group={cmdb.supplier_group.pk}") == ["db1"]
        assert self.names(desk, f"?organisation={desk.acme.pk}") == ["Web shop"]
        services.update_item(desk.admin, cmdb.web2, lifecycle="retired")
        assert self.names(desk, "?lifecycle=retired") == ["web2"]

    def test_wrong_filters_are_ignored_not_errors(self, desk, cmdb):
        assert len(self.names(desk, "?ci_class=x&layer=nope&lifecycle=%00&page=zz")) == 6

    def test_it_pages(self, desk, cmdb):
        for n in range(55):
            make_item(desk, f"pc{n:02}", "application")
        client = desk.client_for(desk.operator)
        first = client.get("/cmdb/?q=pc")
        assert len(first.context["page"].object_list) == 50
        second = client.get("/cmdb/?q=pc&page=2")
        assert [ci.name for ci in second.context["page"].object_list][-1] == "pc54"
        assert b"q=pc&amp;page=1" in second.content

    def test_the_navigation_links_it_for_agents(self, desk, cmdb):
        html = desk.client_for(desk.operator).get("/desk/").content.decode()
        assert 'href="/cmdb/"' in html


# session, user, the bell's unread count, the reader's group tiers, count, rows, and the
# filters' classes, groups and organisations.
LIST_QUERIES = 9


class TestListQueryBudget:
    def measure(self, desk) -> Queries:
        client = desk.client_for(desk.operator)
        client.get("/cmdb/")
        with query_budget(LIST_QUERIES, exact=True) as queries:
            assert client.get("/cmdb/").status_code == 200
        return queries

    def test_the_same_queries_for_few_or_many_items(self, desk, cmdb):
        few = self.measure(desk)
        for n in range(30):
            make_item(
                desk, f"host{n}", support_group=desk.apps, organisation=desk.globex,
                location=desk.helsinki,
            )  # fmt: skip
        assert_same_count(few, self.measure(desk))


class TestTheItemPage:
    def test_it_shows_fields_attributes_relations_both_ways_and_history(self, desk, cmdb):
        response = desk.client_for(desk.operator).get(item_url(cmdb.cluster))
        html = response.content.decode()
        labels = {(str(r["label"]), r["other"].name) for r in response.context["relations"]}
        assert labels == {
            ("hosts", "Shop application"),
            ("has member", "web1"),
            ("has member", "web2"),
        }
        assert "Quorum" in html and "Network Helsinki" in html
        web = desk.client_for(desk.operator).get(item_url(cmdb.web1))
        assert {(a["label"], a["value"], a["unit"]) for a in web.context["attributes"]} >= {
            ("CPU cores", 4, ""),
            ("Memory", 16.0, "GB"),
        }
        assert [str(r["label"]) for r in web.context["relations"]] == ["member of"]
        history = [row["entry"].action for row in web.context["history"]]
        assert history == ["relation_added", "created"]

    def test_remove_buttons_only_for_who_may_change(self, desk, cmdb):
        page = desk.client_for(desk.operator).get(item_url(cmdb.web1))
        assert not page.context["can_change"] and b"relation-add" not in page.content
        assert not any(r["removable"] for r in page.context["relations"])
        page = desk.client_for(desk.specialist).get(item_url(cmdb.web1))
        assert page.context["can_change"] and all(r["removable"] for r in page.context["relations"])
        assert b'id="relation-add"' in page.content and b'id="maintenance-add"' in page.content

    def test_open_tickets_naming_it_that_the_reader_may_see(self, desk, cmdb, escalated):
        hidden = ticket_services.create_ticket(
            desk.other_agent, title="Apps only", requester=desk.requester
        )
        hidden = ticket_services.escalate_ticket(desk.other_agent, hidden, group=desk.apps)
        services.name_affected(None, escalated, [cmdb.web1])
        services.name_affected(None, hidden, [cmdb.web1])
        page = desk.client_for(desk.specialist).get(item_url(cmdb.web1))
        assert page.context["tickets"] == [escalated]
        assert len(desk.client_for(desk.admin).get(item_url(cmdb.web1)).context["tickets"]) == 2
        ticket_services.resolve_ticket(desk.specialist, escalated, code="solved", resolution="ok")
        assert desk.client_for(desk.specialist).get(item_url(cmdb.web1)).context["tickets"] == []

    def test_maintenance_windows_now_are_marked(self, desk, cmdb):
        now = timezone.now()
        services.plan_maintenance(
            desk.admin,
            cmdb.web1,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=1),
        )
        page = desk.client_for(desk.operator).get(item_url(cmdb.web1))
        assert b'id="ci-in-maintenance"' in page.content
        assert [row["now"] for row in page.context["windows"]] == [True]

    def test_registered_panels_are_rendered_with_their_context(self, desk, cmdb, monkeypatch):
        monkeypatch.setattr(panels, "_PANELS", {})
        # Any template will do: this one shows its context's `state` and `label`.
        template = "cmdb/partials/lifecycle.html"
        panels.register(
            panels.Panel("test", template, lambda user, ci: {"state": "x", "label": f"hi {ci}"})
        )
        panels.register(panels.Panel("silent", template, lambda user, ci: None))
        html = desk.client_for(desk.operator).get(item_url(cmdb.web1)).content.decode()
        assert '<span class="badge cmdb-state cmdb-state-x">hi web1</span>' in html
        assert html.count("cmdb-state-x") == 1


# session, user, the bell, group tiers, the item, my groups, maintenance, the class's
# attributes, relations both ways, open tickets, history, the history's related items; the
# impact: what its failure reaches (the walk, clusters' members and quorums, maintenance, the
# reached items, agreements and clients behind, which the reader may read) and what it
# needs (the walk, the items); the sections other apps register (monitoring: the item's
# alerts; capacity: its series).
ITEM_QUERIES = 23


class TestItemQueryBudget:
    def measure(self, desk, ci) -> Queries:
        client = desk.client_for(desk.specialist)
        client.get(item_url(ci))
        with query_budget(ITEM_QUERIES, exact=True) as queries:
            assert client.get(item_url(ci)).status_code == 200
        return queries

    def test_the_same_queries_for_few_or_many_relations_tickets_and_changes(
        self, desk, cmdb, incident
    ):
        few = self.measure(desk, cmdb.web1)
        now = timezone.now()
        for n in range(20):
            other = make_item(desk, f"app{n}", "application", support_group=desk.apps)
            services.add_relation(desk.admin, other, "runs_on", cmdb.web1)
            services.update_item(desk.admin, cmdb.web1, attributes={"cpu_cores": n + 5})
            ticket = ticket_services.create_ticket(
                desk.operator, title=f"T{n}", requester=desk.requester
            )
            ticket = ticket_services.escalate_ticket(desk.operator, ticket, group=desk.network_hel)
            services.name_affected(None, ticket, [cmdb.web1])
            services.plan_maintenance(
                desk.admin, cmdb.web1, starts_at=now + timedelta(days=n + 1),
                ends_at=now + timedelta(days=n + 1, hours=2),
            )  # fmt: skip
        assert_same_count(few, self.measure(desk, cmdb.web1))


GRAPH_QUERIES = 10


class TestTheDrawing:
    def test_items_within_two_hops_with_layers_states_and_edges(self, desk, cmdb):
        far = make_item(desk, "far away", "application")
        services.add_relation(desk.admin, far, "depends_on", cmdb.shop)  # three hops from web1
        now = timezone.now()
        services.plan_maintenance(
            desk.admin,
            cmdb.web2,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=1),
        )
        data = desk.client_for(desk.operator).get(f"/cmdb/{cmdb.web1.pk}/graph.json").json()
        nodes = {n["name"]: n for n in data["nodes"]}
        assert set(nodes) == {"web1", "web2", "Web cluster", "Shop application"}
        assert nodes["web2"]["state"] == "maintenance" and nodes["web1"]["state"] == "operational"
        assert nodes["Web cluster"]["layer"] == "component"
        assert nodes["Shop application"]["layer"] == "application"
        assert nodes["web1"]["url"] == item_url(cmdb.web1) and data["centre"] == cmdb.web1.pk
        edges = {(e["source"], e["target"], e["type"]) for e in data["edges"]}
        assert edges == {
            (cmdb.web1.pk, cmdb.cluster.pk, "member_of"),
            (cmdb.web2.pk, cmdb.cluster.pk, "member_of"),
            (cmdb.app.pk, cmdb.cluster.pk, "runs_on"),
        }

    def test_removed_relations_are_not_drawn(self, desk, cmdb):
        relation = cmdb.web2.relations_out.get()
        services.remove_relation(desk.admin, relation)
        data = desk.client_for(desk.operator).get(f"/cmdb/{cmdb.web1.pk}/graph.json").json()
        assert "web2" not in {n["name"] for n in data["nodes"]}

    def test_it_is_capped(self, desk, cmdb, monkeypatch):
        monkeypatch.setattr("tuki.cmdb.neighbourhood.MAX_NODES", 3)
        from tuki.cmdb import neighbourhood

        around = neighbourhood.around(cmdb.cluster, ConfigurationItem.objects.all(), cap=3)
        assert len(around.nodes) == 3 and around.truncated

    def test_its_queries_do_not_grow_with_the_neighbourhood(self, desk, cmdb):
        client = desk.client_for(desk.operator)
        url = f"/cmdb/{cmdb.cluster.pk}/graph.json"
        client.get(url)
        # session, user, tiers, the item, two queries a hop, nodes, who is in maintenance
        with query_budget(GRAPH_QUERIES, exact=True) as few:
            client.get(url)
        for n in range(20):
            services.add_relation(desk.admin, make_item(desk, f"m{n}"), "member_of", cmdb.cluster)
        with query_budget(GRAPH_QUERIES, exact=True) as many:
            assert len(client.get(url).json()["nodes"]) == 26
        assert_same_count(few, many)
