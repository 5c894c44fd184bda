"""Routing rules send a new ticket's work to a group; the service desk keeps ownership."""

from __future__ import annotations

import pytest

from tuki.accounts.models import SupportGroup
from tuki.lib.testing import query_budget
from tuki.routing import services
from tuki.routing.models import RoutingRule
from tuki.sla.models import Service
from tuki.tickets.models import ActorKind, Category, Kind, TicketEvent

pytestmark = pytest.mark.django_db


def rule(name, group, **criteria):
    return RoutingRule.objects.create(name=name, group=group, **criteria)


class TestMatching:
    def test_a_category_matches_its_subcategories(self, desk, new_ticket):
        rule("Network to Helsinki", desk.network_hel, category=desk.vpn.parent)
        ticket = new_ticket(category=desk.vpn)
        assert services.route(ticket) == desk.network_hel

    def test_a_category_does_not_match_its_parent_or_siblings(self, desk, new_ticket):
        wifi = Category.objects.create(name="Wi-Fi", parent=desk.vpn.parent)
        rule("VPN only", desk.network_hel, category=desk.vpn)
        assert services.route(new_ticket(category=wifi)) is None
        assert services.route(new_ticket(category=desk.vpn.parent)) is None
        assert services.route(new_ticket()) is None

    def test_location_is_the_requesters_office(self, desk, new_ticket):
        rule("Bucharest office", desk.network_buc, location=desk.bucharest)
        assert services.route(new_ticket(requester=desk.requester)) is None  # Helsinki
        assert services.route(new_ticket(requester=desk.outsider)) == desk.network_buc

    def test_organisation(self, desk, new_ticket):
        rule("Globex", desk.apps, organisation=desk.globex)
        assert services.route(new_ticket(requester=desk.outsider)) == desk.apps
        assert services.route(new_ticket(requester=desk.requester)) is None

    def test_service_matches_the_categories_under_it(self, desk, new_ticket):
        vpn_service = Service.objects.create(name="Remote access")
        vpn_service.categories.add(desk.vpn)
        rule("Remote access", desk.network_buc, service=vpn_service)
        deeper = Category.objects.create(name="Cannot connect", parent=desk.vpn)
        assert services.route(new_ticket(category=deeper)) == desk.network_buc
        assert services.route(new_ticket(category=desk.vpn.parent)) is None

    def test_an_inactive_service_routes_nothing(self, desk, new_ticket):
        vpn_service = Service.objects.create(name="Remote access", is_active=False)
        vpn_service.categories.add(desk.vpn)
        rule("Remote access", desk.network_buc, service=vpn_service)
        assert services.route(new_ticket(category=desk.vpn)) is None

    def test_kind(self, desk, new_ticket):
        rule("Requests", desk.apps, kind=Kind.REQUEST)
        assert services.route(new_ticket(kind=Kind.REQUEST)) == desk.apps
        assert services.route(new_ticket(kind=Kind.INCIDENT)) is None

    def test_every_criterion_must_hold(self, desk, new_ticket):
        rule("VPN from Bucharest", desk.network_buc, category=desk.vpn, location=desk.bucharest)
        assert services.route(new_ticket(category=desk.vpn, requester=desk.requester)) is None
        assert services.route(new_ticket(requester=desk.outsider)) is None
        hit = new_ticket(category=desk.vpn, requester=desk.outsider)
        assert services.route(hit) == desk.network_buc

    def test_the_first_rule_in_order_wins_and_inactive_rules_are_skipped(self, desk, new_ticket):
        rule("Later", desk.apps, position=20, category=desk.vpn)
        rule("Earlier", desk.network_buc, position=10, category=desk.vpn)
        rule("First but off", desk.network_hel, position=1, is_active=False)
        assert services.route(new_ticket(category=desk.vpn)) == desk.network_buc

    def test_a_rule_to_an_inactive_group_is_skipped(self, desk, new_ticket):
        SupportGroup.objects.filter(pk=desk.network_buc.pk).update(is_active=False)
        rule("Dead end", desk.network_buc, position=1)
        rule("Fallback", desk.apps, position=2)
        assert services.route(new_ticket()) == desk.apps

    def test_matching_reads_a_fixed_number_of_queries(self, desk, new_ticket):
        ticket = new_ticket(category=desk.vpn)
        for n in range(20):
            service = Service.objects.create(name=f"S{n}")
            service.categories.add(desk.vpn.parent)
            rule(f"R{n}", desk.apps, service=service, kind=Kind.CHANGE)
        with query_budget(2, exact=True):
            assert services.route(ticket) is None


class TestRoutingANewTicket:
    def test_the_work_moves_and_the_desk_keeps_ownership(self, desk, new_ticket):
        rule(
            "VPN incidents from Bucharest",
            desk.network_buc,
            category=desk.vpn,
            location=desk.bucharest,
        )
        ticket = new_ticket(category=desk.vpn, requester=desk.outsider)
        assert ticket.group == desk.network_buc
        assert ticket.owner_group == desk.service_desk
        assert ticket.status.key == "assigned"
        event = TicketEvent.objects.get(ticket=ticket, field="group")
        assert event.actor is None
        assert event.actor_kind == ActorKind.RULE
        assert "VPN incidents from Bucharest" in event.reason
        assert event.depth == 1

    def test_a_ticket_the_operator_sent_elsewhere_is_not_rerouted(self, desk, new_ticket):
        rule("Everything to apps", desk.apps)
        ticket = new_ticket(group=desk.network_hel)
        assert ticket.group == desk.network_hel

    def test_no_rule_leaves_the_ticket_with_the_desk(self, desk, new_ticket):
        ticket = new_ticket()
        assert ticket.group == desk.service_desk
        assert not TicketEvent.objects.filter(ticket=ticket, field="group").exists()

    def test_without_an_active_rule_routing_reads_only_the_rules(self, desk, new_ticket):
        rule("Switched off", desk.apps, is_active=False)
        ticket = new_ticket()
        with query_budget(1, exact=True):
            assert services.route_new_ticket(ticket.pk) == "no rule"

    def test_routing_twice_changes_nothing(self, desk, new_ticket):
        rule("All to apps", desk.apps)
        ticket = new_ticket()
        assert services.route_new_ticket(ticket.pk) == "not with the desk"
        assert TicketEvent.objects.filter(ticket=ticket, field="group").count() == 1

    def test_a_failing_route_never_breaks_the_ticket(self, desk, new_ticket, monkeypatch):
        rule("All to apps", desk.apps)

        def broken(*args, **kwargs):
            raise RuntimeError("boom")

        monkeypatch.setattr(services, "matching_rule", broken)
        ticket = new_ticket(title="Still registered")
        assert ticket.pk and ticket.group == desk.service_desk

    def test_a_requesters_own_ticket_is_routed_too(self, desk, committed):
        from tuki.tickets import services as ticket_services

        rule("Globex", desk.apps, organisation=desk.globex)
        ticket = committed(
            ticket_services.create_ticket, desk.outsider, title="Printer", requester=desk.outsider
        )
        ticket.refresh_from_db()
        assert ticket.group == desk.apps and ticket.owner_group == desk.service_desk


class TestRuleServices:
    def test_staff_only(self, desk):
        from django.core.exceptions import PermissionDenied

        for user in (desk.operator, desk.lead, desk.requester):
            with pytest.raises(PermissionDenied):
                services.create_rule(user, name="X", group=desk.apps)
        assert not RoutingRule.objects.exists()

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"name": "", "group": "apps"}, "name"),
            ({"name": "X"}, "group"),
            ({"name": "X", "group": 999999}, "group"),
            ({"name": "X", "group": "apps", "kind": "bogus"}, "kind"),
            ({"name": "X", "group": "apps", "category": 999999}, "category"),
            ({"name": "X", "group": "apps", "position": -1}, "position"),
            ({"name": "Taken", "group": "apps"}, "name"),
        ],
    )
    def test_bad_input_names_the_field_and_writes_nothing(self, desk, data, field):
        from tuki.lib.errors import ServiceError

        rule("taken", desk.network_hel)
        if data.get("group") == "apps":
            data["group"] = desk.apps
        with pytest.raises(ServiceError) as caught:
            services.create_rule(desk.admin, **data)
        assert caught.value.field == field
        assert RoutingRule.objects.count() == 1

    def test_new_rules_go_last_and_moving_renumbers(self, desk):
        first = services.create_rule(desk.admin, name="One", group=desk.apps)
        second = services.create_rule(desk.admin, name="Two", group=desk.apps)
        third = services.create_rule(desk.admin, name="Three", group=desk.apps)
        assert first.position < second.position < third.position
        services.move_rule(desk.admin, third, -1)
        assert [r.name for r in RoutingRule.objects.all()] == ["One", "Three", "Two"]
        services.move_rule(desk.admin, first, -1)  # already first
        services.move_rule(desk.admin, first, +5)  # past the end
        assert [r.name for r in RoutingRule.objects.all()] == ["Three", "Two", "One"]
        assert list(RoutingRule.objects.values_list("position", flat=True)) == [10, 20, 30]

    def test_an_inactive_group_is_refused(self, desk):
        from tuki.lib.errors import ServiceError

        dormant = SupportGroup.objects.create(name="Dormant", is_active=False)
        with pytest.raises(ServiceError) as caught:
            services.create_rule(desk.admin, name="X", group=dormant)
        assert caught.value.field == "group"
