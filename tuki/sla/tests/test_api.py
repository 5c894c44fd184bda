"""The SLA API: clocks on tickets (in the ticket output and explained), and the rules."""

from __future__ import annotations

import pytest

from tuki.lib.testing import Queries, assert_same_count, query_budget
from tuki.sla.models import Agreement, Service, SlaPolicy
from tuki.sla.tests.conftest import hel
from tuki.tickets import services
from tuki.tickets.tests.test_api_support import ROLES, client_as, error_fields, get, patch, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(desk, sla, frozen):
    return services.create_ticket(
        desk.operator, title="VPN", requester=desk.requester, group=desk.network_hel
    )


class TestClocksInTheTicketApi:
    def test_each_ticket_lists_its_clocks(self, desk, ticket):
        body = get(client_as(desk, "operator"), f"/tickets/{ticket.number}").json()
        assert [(c["metric"], c["state"]) for c in body["sla"]] == [
            ("first_response", "running"),
            ("resolution", "running"),
            ("ola", "running"),
        ]
        resolution = body["sla"][1]
        assert resolution["policy"] == "Standard" and resolution["target_minutes"] == 480
        assert resolution["deadline"].startswith("2025-03-04T07:00:00")

    def test_requesters_do_not_see_internal_targets(self, desk, ticket):
        body = get(client_as(desk, "requester"), f"/tickets/{ticket.number}").json()
        assert [c["metric"] for c in body["sla"]] == ["first_response", "resolution"]

    def test_the_list_reads_clocks_in_a_fixed_number_of_queries(self, desk, sla, frozen):
        client = client_as(desk, "operator")

        def queries() -> Queries:
            with query_budget() as captured:
                assert get(client, "/tickets", limit=200).status_code == 200
            return captured

        services.create_ticket(desk.operator, title="One", requester=desk.requester)
        queries()  # the token's first use is written down once
        few = queries()
        for n in range(10):
            services.create_ticket(desk.operator, title=f"T{n}", requester=desk.requester)
        assert_same_count(few, queries())


EXPLAINED = {
    "anonymous": 401,
    "bad_token": 401,
    "requester": 200,
    "colleague": 404,
    "outsider": 404,
    "operator": 200,
    "specialist": 200,
    "other_agent": 404,
    "admin": 200,
}


class TestExplainedClocks:
    @pytest.mark.parametrize("role", ROLES)
    def test_who_may_read_them(self, desk, ticket, role):
        response = get(client_as(desk, role), f"/sla/tickets/{ticket.number}/clocks")
        assert response.status_code == EXPLAINED[role]

    def test_each_clock_says_why(self, desk, ticket, frozen):
        frozen.at(hel(3, 10))
        services.change_status(desk.operator, ticket, "pending_customer")
        body = get(client_as(desk, "operator"), f"/sla/tickets/{ticket.number}/clocks").json()
        resolution = next(c for c in body if c["metric"] == "resolution")
        assert resolution["status"] == "paused with 7 h business time left"
        assert resolution["calendar"] == "Helsinki office"
        texts = [h["text"] for h in resolution["history"]]
        assert texts[0].startswith("Started when the ticket was registered. Policy Standard")
        assert texts[1] == "Paused: the status became Waiting for customer."


READ_RULES = {
    "anonymous": 401,
    "bad_token": 401,
    "requester": 403,
    "colleague": 403,
    "outsider": 403,
    "operator": 200,
    "specialist": 200,
    "other_agent": 200,
    "admin": 200,
}
WRITE_RULES = {**READ_RULES, "operator": 403, "specialist": 403, "other_agent": 403, "admin": 201}


class TestRules:
    @pytest.mark.parametrize("role", ROLES)
    @pytest.mark.parametrize("what", ["services", "agreements", "policies"])
    def test_agents_read_them(self, desk, sla, role, what):
        assert get(client_as(desk, role), f"/sla/{what}").status_code == READ_RULES[role]

    @pytest.mark.parametrize("role", ROLES)
    def test_administrators_write_them(self, desk, role):
        response = post(client_as(desk, role), "/sla/services", {"name": "E-mail"})
        assert response.status_code == WRITE_RULES[role]
        assert Service.objects.exists() == (role == "admin")

    def test_a_policy_with_its_targets(self, desk, sla):
        admin = client_as(desk, "admin")
        response = post(
            admin,
            "/sla/policies",
            {
                "name": "VIP",
                "order": 5,
                "kinds": ["incident"],
                "priorities": [1, 2],
                "organisations": [desk.acme.pk],
                "calendar": sla.office.pk,
                "warning_thresholds": [90, 50],
                "pause_statuses": ["pending_supplier"],
                "targets": [
                    {"priority": 1, "first_response_minutes": 15, "resolution_minutes": 240}
                ],
                "ola_targets": [{"group": desk.network_hel.pk, "minutes": 120}],
            },
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["warning_thresholds"] == [50, 90]
        assert body["targets"][0]["resolution_minutes"] == 240
        assert body["pause_statuses"] == ["pending_supplier"]
        changed = patch(admin, f"/sla/policies/{body['id']}", {"targets": []}).json()
        assert changed["targets"] == [] and changed["kinds"] == ["incident"]

    def test_an_agreement_for_a_client(self, desk, sla):
        response = post(
            client_as(desk, "admin"),
            "/sla/agreements",
            {
                "name": "Acme 2025",
                "organisation": desk.acme.pk,
                "policy": sla.policy.pk,
                "calendar": sla.office.pk,
                "valid_from": "2025-01-01",
                "target_percent": 99.5,
            },
        )
        assert response.status_code == 201, response.content
        assert response.json()["target_percent"] == 99.5
        assert Agreement.objects.get().policy == sla.policy

    @pytest.mark.parametrize(
        ("path", "body", "field"),
        [
            ("/sla/services", {"name": " "}, "name"),
            ("/sla/services", {"name": "X", "categories": [999]}, "categories"),
            ("/sla/policies", {"name": "Standard"}, "name"),
            ("/sla/policies", {"name": "P", "warning_thresholds": [100]}, "warning_thresholds"),
            ("/sla/policies", {"name": "P", "kinds": ["ticket"]}, "kinds"),
            ("/sla/policies", {"name": "P", "calendar": 999}, "calendar"),
            ("/sla/policies", {"name": "P", "pause_statuses": ["nap"]}, "pause_statuses"),
            ("/sla/policies", {"name": "P", "targets": [{"priority": 9}]}, "priority"),
            (
                "/sla/policies",
                {"name": "P", "targets": [{"priority": 1, "resolution_minutes": 0}]},
                "resolution_minutes",
            ),
            (
                "/sla/policies",
                {"name": "P", "targets": [{"priority": 1}, {"priority": 1}]},
                "targets",
            ),
            (
                "/sla/policies",
                {"name": "P", "ola_targets": [{"group": 999, "minutes": 5}]},
                "ola_targets",
            ),
            ("/sla/agreements", {"name": "A"}, "organisation"),
            (
                "/sla/agreements",
                {"name": "A", "organisation": 1, "target_percent": 101},
                "target_percent",
            ),
            (
                "/sla/agreements",
                {
                    "name": "A",
                    "organisation": "ACME",
                    "valid_from": "2025-02-01",
                    "valid_until": "2025-01-01",
                },
                "valid_until",
            ),
        ],
    )
    def test_bad_input_names_the_field_and_writes_nothing(self, desk, sla, path, body, field):
        before = (Service.objects.count(), SlaPolicy.objects.count(), Agreement.objects.count())
        body = {k: desk.acme.pk if v == "ACME" else v for k, v in body.items()}
        response = post(client_as(desk, "admin"), path, body)
        assert response.status_code == 422, response.content
        assert any(field in map(str, e["loc"]) for e in response.json()["detail"])
        after = (Service.objects.count(), SlaPolicy.objects.count(), Agreement.objects.count())
        assert before == after

    def test_a_second_agreement_for_the_same_client_and_time_is_refused(self, desk, sla):
        Agreement.objects.create(name="Acme", organisation=desk.acme, valid_from="2025-01-01")
        body = {"name": "Acme again", "organisation": desk.acme.pk, "valid_from": "2025-06-01"}
        assert error_fields(post(client_as(desk, "admin"), "/sla/agreements", body)) == [
            "valid_from"
        ]
