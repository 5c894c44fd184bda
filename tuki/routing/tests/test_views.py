"""Routing pages, role by role: administrators, the group's manager, agents, requesters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuki.accounts.models import Absence, SupportGroup
from tuki.lib.testing import query_budget
from tuki.routing.models import RoutingRule

pytestmark = pytest.mark.django_db

ROLES = ["requester", "operator", "specialist", "lead", "other_agent", "admin", "anonymous"]


def client_as(desk, role):
    return Client() if role == "anonymous" else desk.client_for(getattr(desk, role))


def expect(response, allowed, role):
    if role == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif allowed:
        assert response.status_code in (200, 302), response.status_code
    else:
        assert response.status_code in (403, 404), response.status_code


@pytest.fixture
def vpn_rule(desk):
    return RoutingRule.objects.create(
        name="VPN from Bucharest",
        category=desk.vpn,
        location=desk.bucharest,
        group=desk.network_buc,
        position=10,
    )


class TestRulePagesByRole:
    @pytest.mark.parametrize("role", ROLES)
    def test_list_new_and_edit(self, desk, vpn_rule, role):
        client = client_as(desk, role)
        for url in (
            reverse("routing:rules"),
            reverse("routing:rule_new"),
            reverse("routing:rule_edit", args=[vpn_rule.pk]),
        ):
            expect(client.get(url), role == "admin", role)

    @pytest.mark.parametrize("role", ROLES)
    def test_move_and_delete(self, desk, vpn_rule, role):
        other = RoutingRule.objects.create(name="Apps", group=desk.apps, position=20)
        client = client_as(desk, role)
        moved = client.post(reverse("routing:rule_move", args=[other.pk]), {"direction": "up"})
        expect(moved, role == "admin", role)
        deleted = client.post(reverse("routing:rule_delete", args=[vpn_rule.pk]))
        expect(deleted, role == "admin", role)
        names = list(RoutingRule.objects.values_list("name", flat=True))
        assert names == (["Apps"] if role == "admin" else ["VPN from Bucharest", "Apps"])

    def test_an_unknown_rule_is_404_and_move_needs_post(self, desk):
        client = desk.client_for(desk.admin)
        assert client.get(reverse("routing:rule_edit", args=[999])).status_code == 404
        assert client.get(reverse("routing:rule_move", args=[999])).status_code == 405


class TestRulePages:
    def test_the_list_shows_criteria_in_order(self, desk, vpn_rule):
        RoutingRule.objects.create(
            name="Globex", organisation=desk.globex, group=desk.apps, position=5
        )
        page = desk.client_for(desk.admin).get(reverse("routing:rules")).content.decode()
        assert page.index("Globex") < page.index("VPN from Bucharest")
        assert "Network › VPN" in page and "Bucharest" in page and "Network Bucharest" in page

    def test_creating_a_rule(self, desk):
        response = desk.client_for(desk.admin).post(
            reverse("routing:rule_new"),
            {
                "name": "Requests from Globex",
                "is_active": "on",
                "kind": "request",
                "organisation": desk.globex.pk,
                "group": desk.apps.pk,
            },
        )
        assert response.status_code == 302
        rule = RoutingRule.objects.get()
        assert (rule.kind, rule.organisation, rule.group) == ("request", desk.globex, desk.apps)

    def test_editing_keeps_the_position(self, desk, vpn_rule):
        response = desk.client_for(desk.admin).post(
            reverse("routing:rule_edit", args=[vpn_rule.pk]),
            {"name": "VPN Bucharest", "group": desk.network_buc.pk, "category": desk.vpn.pk},
        )
        assert response.status_code == 302
        vpn_rule.refresh_from_db()
        assert (vpn_rule.name, vpn_rule.position, vpn_rule.location, vpn_rule.is_active) == (
            "VPN Bucharest",
            10,
            None,
            False,
        )

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"name": "", "group": "apps"}, "name"),
            ({"name": "X"}, "group"),
            ({"name": "X", "group": "999999"}, "group"),
            ({"name": "X", "group": "apps", "kind": "bogus"}, "kind"),
            ({"name": "X", "group": "apps", "category": "abc"}, "category"),
            ({"name": "vpn from bucharest", "group": "apps"}, "name"),
        ],
    )
    def test_bad_input_shows_field_errors_and_writes_nothing(self, desk, vpn_rule, data, field):
        if data.get("group") == "apps":
            data["group"] = desk.apps.pk
        response = desk.client_for(desk.admin).post(reverse("routing:rule_new"), data)
        assert response.status_code == 422
        assert field in response.context["form"].errors
        assert RoutingRule.objects.count() == 1

    def test_the_list_has_a_fixed_query_budget(self, desk):
        client = desk.client_for(desk.admin)
        client.get(reverse("routing:rules"))  # warm the session
        from tuki.sla.models import Service

        service = Service.objects.create(name="VPN")
        for n in range(25):
            RoutingRule.objects.create(
                name=f"R{n}",
                category=desk.vpn,
                service=service,
                organisation=desk.acme,
                location=desk.helsinki,
                group=desk.apps,
            )
        with query_budget(8):
            assert client.get(reverse("routing:rules")).status_code == 200


class TestGroupPagesByRole:
    @pytest.mark.parametrize("role", ROLES)
    def test_group_list(self, desk, role):
        response = client_as(desk, role).get(reverse("routing:groups"))
        expect(response, role in ("admin", "lead"), role)
        if role == "lead":
            page = response.content.decode()
            assert "Network Helsinki" in page and "Applications" not in page

    @pytest.mark.parametrize("role", ROLES)
    def test_group_page_and_mode(self, desk, role):
        client = client_as(desk, role)
        url = reverse("routing:group", args=[desk.network_hel.pk])
        allowed = role in ("admin", "lead")
        expect(client.get(url), allowed, role)
        expect(client.post(url, {"assignment": "round_robin"}), allowed, role)
        desk.network_hel.refresh_from_db()
        assert desk.network_hel.assignment == ("round_robin" if allowed else "manual")

    def test_a_manager_cannot_change_another_group(self, desk):
        url = reverse("routing:group", args=[desk.apps.pk])
        assert desk.client_for(desk.lead).post(url, {"assignment": "least_work"}).status_code == 403
        desk.apps.refresh_from_db()
        assert desk.apps.assignment == "manual"

    def test_an_unknown_mode_is_a_field_error(self, desk):
        url = reverse("routing:group", args=[desk.network_hel.pk])
        response = desk.client_for(desk.lead).post(url, {"assignment": "lottery"})
        assert response.status_code == 422 and "assignment" in response.context["form"].errors

    def test_the_group_page_shows_who_is_away(self, desk):
        today = timezone.localdate()
        Absence.objects.create(
            user=desk.specialist,
            starts_on=today - timedelta(days=1),
            ends_on=today + timedelta(days=1),
            note="Training",
        )
        page = (
            desk.client_for(desk.lead)
            .get(reverse("routing:group", args=[desk.network_hel.pk]))
            .content.decode()
        )
        assert "away today" in page and "Training" in page

    def test_the_group_list_has_a_fixed_query_budget(self, desk):
        from tuki.conftest import make_user

        client = desk.client_for(desk.admin)
        client.get(reverse("routing:groups"))
        today = timezone.localdate()
        for n in range(10):
            group = SupportGroup.objects.create(name=f"G{n}")
            for m in range(3):
                agent = make_user(f"a{n}-{m}@tuki.test", f"A {n} {m}", is_agent=True)
                group.members.add(agent)
                Absence.objects.create(user=agent, starts_on=today, ends_on=today)
        with query_budget(8):
            assert client.get(reverse("routing:groups")).status_code == 200


class TestAwayDatesByRole:
    def days(self, start=0, end=2):
        today = timezone.localdate()
        return {
            "starts_on": today + timedelta(days=start),
            "ends_on": today + timedelta(days=end),
            "note": "Holiday",
        }

    @pytest.mark.parametrize("role", ROLES)
    def test_own_away_dates(self, desk, role):
        response = client_as(desk, role).post(reverse("routing:absence_add"), self.days())
        agent = role not in ("requester", "anonymous")
        expect(response, agent, role)
        assert Absence.objects.count() == (1 if agent else 0)
        if agent:
            assert Absence.objects.get().user == getattr(desk, role)

    @pytest.mark.parametrize(
        ("role", "allowed"),
        [
            ("lead", True),
            ("admin", True),
            ("specialist", False),
            ("other_agent", False),
            ("operator", False),
        ],
    )
    def test_a_members_away_dates(self, desk, role, allowed):
        data = {**self.days(), "user": desk.specialist.pk}
        if role == "specialist":
            data["user"] = desk.lead.pk
        response = client_as(desk, role).post(reverse("routing:absence_add"), data)
        assert response.status_code == (302 if allowed else 422)
        assert Absence.objects.count() == (1 if allowed else 0)

    @pytest.mark.parametrize("role", ROLES)
    def test_removing(self, desk, role):
        absence = Absence.objects.create(
            user=desk.specialist, **{k: v for k, v in self.days().items() if k != "note"}
        )
        response = client_as(desk, role).post(reverse("routing:absence_delete", args=[absence.pk]))
        allowed = role in ("specialist", "lead", "admin")
        expect(response, allowed, role)
        assert Absence.objects.exists() != allowed

    @pytest.mark.parametrize(
        ("start", "end", "field"), [(2, 0, "ends_on"), (0, 400, "ends_on"), (None, 1, "starts_on")]
    )
    def test_bad_dates_are_field_errors(self, desk, start, end, field):
        data = self.days(start or 0, end)
        if start is None:
            data["starts_on"] = "not a date"
        response = desk.client_for(desk.specialist).post(reverse("routing:absence_add"), data)
        assert response.status_code == 422
        assert field in response.context["absence_form"].errors
        assert not Absence.objects.exists()

    def test_next_goes_back_only_to_this_site(self, desk):
        client = desk.client_for(desk.specialist)
        response = client.post(
            reverse("routing:absence_add"), {**self.days(), "next": "https://evil.example/"}
        )
        assert response["Location"] == reverse("preferences")

    def test_the_preferences_page_has_away_dates_for_agents_only(self, desk):
        Absence.objects.create(
            user=desk.specialist,
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
            note="Dentist",
        )
        page = desk.client_for(desk.specialist).get(reverse("preferences")).content.decode()
        assert 'id="away-dates"' in page and "Dentist" in page
        lead_page = desk.client_for(desk.lead).get(reverse("preferences")).content.decode()
        assert "Network Helsinki" in lead_page  # the group they manage is linked
        mine = desk.client_for(desk.requester).get(reverse("preferences")).content.decode()
        assert 'id="away-dates"' not in mine
