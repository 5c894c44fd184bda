"""The rule pages: who may open them, the list (order, toggle, moves, query budget), the
editor (building conditions and actions, saving, errors next to the row at fault), the
preview and the run log."""

from __future__ import annotations

import pytest
from django.test import Client

from tuki.automation.models import Rule, RuleRun
from tuki.lib.testing import Queries, assert_same_count, query_budget

ROLES_DENIED = {
    "requester": 404,
    "outsider": 404,
    "operator": 403,
    "specialist": 403,
    "other_agent": 403,
}


def make_rule(name: str = "VPN to network", position: int = 100, **extra) -> Rule:
    data = {
        "trigger": "event",
        "events": ["created"],
        "conditions": {
            "match": "all",
            "items": [{"field": "title", "op": "contains", "value": "VPN"}],
        },
        "actions": [{"type": "add_tags", "tags": ["vpn"]}],
    }
    data.update(extra)
    return Rule.objects.create(name=name, position=position, **data)


def pages(rule: Rule) -> list[tuple[str, str]]:
    return [
        ("get", "/automation/"),
        ("get", "/automation/new/"),
        ("get", f"/automation/{rule.pk}/"),
        ("get", f"/automation/{rule.pk}/runs/"),
        ("post", "/automation/builder/"),
        ("post", "/automation/preview/"),
        ("post", f"/automation/{rule.pk}/toggle/"),
        ("post", f"/automation/{rule.pk}/move/"),
        ("post", f"/automation/{rule.pk}/delete/"),
    ]


class TestWhoMayManageRules:
    def test_anonymous_visitors_are_sent_to_sign_in(self, desk):
        rule = make_rule()
        for method, url in pages(rule):
            response = getattr(Client(), method)(url)
            assert response.status_code == 302, url
            assert response.url.startswith("/login/"), url

    @pytest.mark.parametrize("who", sorted(ROLES_DENIED))
    def test_agents_get_403_and_requesters_404(self, desk, who):
        rule = make_rule()
        client = desk.client_for(getattr(desk, who))
        for method, url in pages(rule):
            response = getattr(client, method)(url)
            assert response.status_code == ROLES_DENIED[who], (who, url)
        rule.refresh_from_db()
        assert rule.is_active and Rule.objects.count() == 1

    def test_administrators_open_every_page(self, desk):
        rule = make_rule()
        client = desk.client_for(desk.admin)
        for url in (
            "/automation/",
            "/automation/new/",
            f"/automation/{rule.pk}/",
            f"/automation/{rule.pk}/runs/",
        ):
            assert client.get(url).status_code == 200, url

    def test_staff_agents_manage_rules_too(self, desk):
        desk.operator.is_staff = True
        desk.operator.save()
        assert desk.client_for(desk.operator).get("/automation/").status_code == 200

    def test_the_administration_menu_links_the_rules_for_staff_only(self, desk):
        assert 'href="/automation/"' in desk.client_for(desk.admin).get("/desk/").content.decode()
        page = desk.client_for(desk.operator).get("/desk/").content.decode()
        assert 'href="/automation/"' not in page

    def test_an_unknown_rule_is_404(self, desk):
        assert desk.client_for(desk.admin).get("/automation/999/").status_code == 404


class TestRuleList:
    def test_rules_are_listed_in_run_order_with_their_events(self, desk):
        make_rule("Second", position=20)
        make_rule(
            "First",
            position=10,
            trigger="scheduled",
            events=[],
            wait={"minutes": 60, "business": False, "since": "created"},
        )
        response = desk.client_for(desk.admin).get("/automation/")
        assert [r.name for r in response.context["rules"]] == ["First", "Second"]
        page = response.content.decode()
        assert page.index("First") < page.index("Second")
        assert "Ticket created" in page and "scheduled" in page

    def test_the_last_run_is_shown(self, desk, incident):
        rule = make_rule()
        RuleRun.objects.create(rule=rule, ticket=incident, ok=False, error="Group vanished")
        response = desk.client_for(desk.admin).get("/automation/")
        assert response.context["rules"][0].last_run_at is not None
        assert response.context["rules"][0].last_run_ok is False

    def test_query_budget_is_the_same_for_3_and_30_rules(self, desk, incident):
        client = desk.client_for(desk.admin)

        def count(n: int) -> Queries:
            for i in range(Rule.objects.count(), n):
                rule = make_rule(f"Rule {i}", position=i)
                RuleRun.objects.create(rule=rule, ticket=incident)
            client.get("/automation/")  # warm the session
            with query_budget() as queries:
                assert client.get("/automation/").status_code == 200
            return queries

        assert_same_count(count(3), count(30))

    def test_the_toggle_switches_a_rule_off_and_on(self, desk):
        rule = make_rule()
        client = desk.client_for(desk.admin)
        response = client.post(f"/automation/{rule.pk}/toggle/", HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        rule.refresh_from_db()
        assert not rule.is_active
        assert 'id="rule-table"' not in response.content.decode()  # the fragment only
        client.post(f"/automation/{rule.pk}/toggle/")
        rule.refresh_from_db()
        assert rule.is_active

    def test_a_rule_naming_a_deleted_group_cannot_be_switched_until_fixed(self, desk):
        rule = make_rule(actions=[{"type": "assign", "group": 99999}])
        client = desk.client_for(desk.admin)
        response = client.post(f"/automation/{rule.pk}/toggle/", HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert "needs fixing first" in response.content.decode()
        response = client.post(f"/automation/{rule.pk}/toggle/", follow=True)
        assert "needs fixing first" in response.content.decode()
        rule.refresh_from_db()
        assert rule.is_active

    def test_moving_a_rule_up_and_down_changes_the_order(self, desk):
        a, b, c = (make_rule(n, position=p) for n, p in (("A", 10), ("B", 20), ("C", 30)))
        client = desk.client_for(desk.admin)

        def order() -> list[str]:
            return list(Rule.objects.order_by("position", "pk").values_list("name", flat=True))

        client.post(f"/automation/{c.pk}/move/", {"direction": "up"})
        assert order() == ["A", "C", "B"]
        client.post(f"/automation/{a.pk}/move/", {"direction": "down"})
        assert order() == ["C", "A", "B"]
        client.post(f"/automation/{c.pk}/move/", {"direction": "up"})  # already first
        assert order() == ["C", "A", "B"]

    def test_delete_removes_the_rule(self, desk):
        rule = make_rule()
        response = desk.client_for(desk.admin).post(f"/automation/{rule.pk}/delete/")
        assert response.status_code == 302 and response.url == "/automation/"
        assert not Rule.objects.exists()

    def test_get_does_not_toggle_move_or_delete(self, desk):
        rule = make_rule()
        client = desk.client_for(desk.admin)
        for action in ("toggle", "move", "delete"):
            assert client.get(f"/automation/{rule.pk}/{action}/").status_code == 405
        assert Rule.objects.get().is_active
