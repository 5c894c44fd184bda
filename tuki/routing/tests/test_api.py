"""/api/v1/routing/: rules for administrators, away dates for agents, group modes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tuki.accounts.models import Absence
from tuki.routing.models import RoutingRule
from tuki.tickets.tests.test_api_support import API, client_as, error_fields, get, patch, post

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "bad_token",
    "requester",
    "operator",
    "specialist",
    "lead",
    "other_agent",
    "admin",
]


def delete(client, path):
    return client.delete(API + path)


@pytest.fixture
def rule(desk):
    return RoutingRule.objects.create(
        name="VPN", category=desk.vpn, group=desk.network_hel, position=10
    )


def days(start=0, end=1):
    today = timezone.localdate()
    return {
        "starts_on": str(today + timedelta(days=start)),
        "ends_on": str(today + timedelta(days=end)),
    }


def denied(response, role):
    expected = 401 if role in ("anonymous", "bad_token") else 403
    assert response.status_code == expected, (role, response.status_code, response.content)


class TestRulesByRole:
    @pytest.mark.parametrize("role", ROLES)
    def test_every_endpoint(self, desk, rule, role):
        client = client_as(desk, role)
        calls = [
            lambda: get(client, "/routing/rules"),
            lambda: get(client, f"/routing/rules/{rule.pk}"),
            lambda: post(client, "/routing/rules", {"name": "New", "group_id": desk.apps.pk}),
            lambda: patch(client, f"/routing/rules/{rule.pk}", {"is_active": False}),
            lambda: post(client, f"/routing/rules/{rule.pk}/move", {"offset": 1}),
            lambda: delete(client, f"/routing/rules/{rule.pk}"),
        ]
        for call in calls:
            response = call()
            if role == "admin":
                assert response.status_code in (200, 201, 204), response.content
            else:
                denied(response, role)
        names = list(RoutingRule.objects.values_list("name", flat=True))
        assert names == (["New"] if role == "admin" else ["VPN"])
        if role != "admin":
            rule.refresh_from_db()
            assert rule.is_active


class TestRules:
    def test_create_read_change(self, desk):
        client = client_as(desk, "admin")
        created = post(
            client,
            "/routing/rules",
            {
                "name": "VPN from Bucharest",
                "category_id": desk.vpn.pk,
                "location_id": desk.bucharest.pk,
                "group_id": desk.network_buc.pk,
                "kind": "incident",
            },
        )
        assert created.status_code == 201
        body = created.json()
        assert (body["category_id"], body["location_id"], body["kind"]) == (
            desk.vpn.pk,
            desk.bucharest.pk,
            "incident",
        )
        changed = patch(client, f"/routing/rules/{body['id']}", {"location_id": None})
        assert changed.json()["location_id"] is None
        assert changed.json()["category_id"] == desk.vpn.pk  # untouched
        assert [r["name"] for r in get(client, "/routing/rules").json()] == ["VPN from Bucharest"]

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"name": "X", "group_id": 99999}, "group_id"),
            ({"name": "X"}, "group_id"),
            ({"name": "", "group_id": "apps"}, "name"),
            ({"name": "vpn", "group_id": "apps"}, "name"),
            ({"name": "X", "group_id": "apps", "kind": "nope"}, "kind"),
            ({"name": "X", "group_id": "apps", "service_id": 99999}, "service_id"),
            ({"name": "X", "group_id": "apps", "position": -5}, "position"),
            ({"name": "X", "group_id": "apps", "category_id": "abc"}, "category_id"),
        ],
    )
    def test_bad_input_is_a_422_naming_the_field(self, desk, rule, data, field):
        if data.get("group_id") == "apps":
            data["group_id"] = desk.apps.pk
        response = post(client_as(desk, "admin"), "/routing/rules", data)
        assert error_fields(response) == [field]
        assert RoutingRule.objects.count() == 1

    def test_an_unknown_rule_is_404(self, desk):
        assert get(client_as(desk, "admin"), "/routing/rules/999").status_code == 404


class TestAbsencesByRole:
    @pytest.mark.parametrize("role", ROLES)
    def test_own_away_dates(self, desk, role):
        client = client_as(desk, role)
        created = post(client, "/routing/absences", {**days(), "note": "Course"})
        listed = get(client, "/routing/absences")
        if role in ("anonymous", "bad_token", "requester"):
            denied(created, role)
            denied(listed, role)
            assert not Absence.objects.exists()
            return
        assert created.status_code == 201, created.content
        assert [a["note"] for a in listed.json()] == ["Course"]
        assert delete(client, f"/routing/absences/{created.json()['id']}").status_code == 204
        assert not Absence.objects.exists()

    @pytest.mark.parametrize(
        ("role", "allowed"),
        [("lead", True), ("admin", True), ("operator", False), ("other_agent", False)],
    )
    def test_a_members_away_dates(self, desk, role, allowed):
        response = post(
            client_as(desk, role), "/routing/absences", {**days(), "user_id": desk.specialist.pk}
        )
        if allowed:
            assert response.status_code == 201 and response.json()["user_id"] == desk.specialist.pk
        else:
            assert error_fields(response) == ["user_id"]

    @pytest.mark.parametrize("role", ["operator", "other_agent", "requester"])
    def test_someone_elses_dates_are_404(self, desk, role):
        absence = Absence.objects.create(
            user=desk.specialist, starts_on=timezone.localdate(), ends_on=timezone.localdate()
        )
        assert delete(client_as(desk, role), f"/routing/absences/{absence.pk}").status_code == 404
        assert Absence.objects.exists()

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({**days(2, 0)}, "ends_on"),
            ({"starts_on": "yesterday", "ends_on": "2026-01-01"}, "starts_on"),
            ({**days(), "note": "x" * 201}, "note"),
        ],
    )
    def test_bad_dates_are_a_422(self, desk, data, field):
        response = post(client_as(desk, "specialist"), "/routing/absences", data)
        assert error_fields(response) == [field]
        assert not Absence.objects.exists()


class TestGroups:
    @pytest.mark.parametrize("role", ROLES)
    def test_by_role(self, desk, role):
        client = client_as(desk, role)
        listed = get(client, "/routing/groups")
        changed = patch(
            client, f"/routing/groups/{desk.network_hel.pk}", {"assignment": "least_work"}
        )
        if role in ("anonymous", "bad_token"):
            denied(listed, role)
            denied(changed, role)
            return
        names = [g["name"] for g in listed.json()]
        if role == "admin":
            assert "Applications" in names and changed.status_code == 200
        elif role == "lead":
            assert names == ["Network Helsinki"] and changed.status_code == 200
            assert changed.json()["assignment"] == "least_work"
        else:
            assert names == [] and changed.status_code == 403
        desk.network_hel.refresh_from_db()
        assert (desk.network_hel.assignment == "least_work") == (role in ("admin", "lead"))

    def test_who_is_away(self, desk):
        Absence.objects.create(
            user=desk.specialist,
            starts_on=timezone.localdate() - timedelta(days=1),
            ends_on=timezone.localdate() + timedelta(days=1),
        )
        groups = get(client_as(desk, "lead"), "/routing/groups").json()
        assert groups[0]["away_today"] == [desk.specialist.pk]

    def test_an_unknown_mode_is_a_422(self, desk):
        response = patch(
            client_as(desk, "lead"),
            f"/routing/groups/{desk.network_hel.pk}",
            {"assignment": "lottery"},
        )
        assert error_fields(response) == ["assignment"]
