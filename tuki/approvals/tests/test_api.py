"""Approvals API: every endpoint against every role, field errors, nothing half-written."""

from __future__ import annotations

import pytest

from tuki.approvals import services
from tuki.approvals.models import Approval, ApprovalDecision, State
from tuki.tickets.models import Ticket
from tuki.tickets.tests.test_api_support import (
    ROLES,
    client_as,
    error_fields,
    get,
    post,
    token_client,
)


@pytest.fixture
def approval(desk, hw_request, managers):
    return services.request_approval(
        desk.operator, hw_request, steps=[{"rule": "all", "users": [managers[0].pk, desk.lead.pk]}]
    )


class TestPending:
    def test_an_approver_who_is_no_agent_lists_what_waits(self, desk, approval, managers):
        response = get(token_client(managers[0]), "/approvals/pending")
        assert response.status_code == 200
        [row] = response.json()
        assert row["ticket"] == approval.ticket.number and row["rule"] == "all"

    @pytest.mark.parametrize("who", ROLES)
    def test_others_see_nothing(self, desk, approval, who):
        response = get(client_as(desk, who), "/approvals/pending")
        if who in ("anonymous", "bad_token"):
            assert response.status_code == 401
        else:
            assert response.status_code == 200 and response.json() == []


class TestDecide:
    def test_the_approver_decides(self, desk, approval, managers):
        step = approval.steps.get()
        response = post(
            token_client(managers[0]), f"/approvals/steps/{step.pk}/decide", {"decision": "approve"}
        )
        assert response.status_code == 201 and response.json()["via"] == "api"

    def test_the_second_approver_completes_it_and_the_ticket_moves(self, desk, approval, managers):
        step = approval.steps.get()
        post(
            token_client(managers[0]), f"/approvals/steps/{step.pk}/decide", {"decision": "approve"}
        )
        post(token_client(desk.lead), f"/approvals/steps/{step.pk}/decide", {"decision": "approve"})
        assert Approval.objects.get().state == State.APPROVED
        assert Ticket.objects.get(pk=approval.ticket_id).status.key == "assigned"

    @pytest.mark.parametrize("who", ROLES)
    def test_non_approvers_get_a_404_or_401(self, desk, approval, who):
        step = approval.steps.get()
        response = post(
            client_as(desk, who), f"/approvals/steps/{step.pk}/decide", {"decision": "approve"}
        )
        assert response.status_code == (401 if who in ("anonymous", "bad_token") else 404)
        assert not ApprovalDecision.objects.exists()

    def test_bad_input_names_the_field(self, desk, approval, managers):
        step = approval.steps.get()
        c = token_client(managers[0])
        assert error_fields(
            post(c, f"/approvals/steps/{step.pk}/decide", {"decision": "maybe"})
        ) == ["decision"]
        assert error_fields(
            post(c, f"/approvals/steps/{step.pk}/decide", {"decision": "reject"})
        ) == ["comment"]
        assert error_fields(
            post(
                c,
                f"/approvals/steps/{step.pk}/decide",
                {"decision": "approve", "comment": "a\x00b"},
            )
        ) == ["comment"]
        assert not ApprovalDecision.objects.exists()

    def test_twice_is_a_422(self, desk, approval, managers):
        step = approval.steps.get()
        c = token_client(managers[0])
        post(c, f"/approvals/steps/{step.pk}/decide", {"decision": "approve"})
        response = post(c, f"/approvals/steps/{step.pk}/decide", {"decision": "approve"})
        assert (
            response.status_code == 422
            and response.json()["detail"][0]["type"] == "already_decided"
        )


class TestRequest:
    EXPECTED = {
        "anonymous": 401,
        "bad_token": 401,
        "requester": 403,
        "colleague": 404,
        "outsider": 404,
        "operator": 201,
        "specialist": 404,
        "other_agent": 404,
        "admin": 201,
    }

    @pytest.mark.parametrize("who", ROLES)
    def test_per_role(self, desk, hw_request, managers, who):
        body = {"ticket": hw_request.number, "steps": [{"users": [managers[0].pk]}]}
        response = post(client_as(desk, who), "/approvals/request", body)
        assert response.status_code == self.EXPECTED[who], response.content
        assert Approval.objects.exists() == (self.EXPECTED[who] == 201)

    def test_with_a_template(self, desk, hw_request, managers):
        template = services.create_template(
            desk.admin, name="Hw", steps=[{"users": [managers[0].pk]}]
        )
        response = post(
            token_client(desk.operator),
            "/approvals/request",
            {"ticket": hw_request.number, "template": template.pk},
        )
        assert response.status_code == 201
        body = response.json()
        assert body["name"] == "Hw" and body["steps"][0]["voters"][0]["id"] == managers[0].pk

    @pytest.mark.parametrize(
        "extra, field",
        [
            ({}, "template"),
            ({"template": 99999}, "template"),
            ({"steps": []}, "steps"),
            ({"steps": [{"rule": "most", "users": [1]}]}, "rule"),
            ({"steps": [{"users": [99999]}]}, "steps.0.users"),
            ({"steps": [{"users": []}]}, "steps.0.users"),
        ],
    )
    def test_bad_input_names_the_field_and_writes_nothing(self, desk, hw_request, extra, field):
        response = post(
            token_client(desk.operator),
            "/approvals/request",
            {"ticket": hw_request.number, **extra},
        )
        assert error_fields(response)[-1] == field
        assert not Approval.objects.exists()
        assert Ticket.objects.get(pk=hw_request.pk).status.key == "new"

    def test_an_incident_is_a_422(self, desk, incident, managers):
        response = post(
            token_client(desk.operator),
            "/approvals/request",
            {"ticket": incident.number, "steps": [{"users": [managers[0].pk]}]},
        )
        assert error_fields(response) == ["ticket"]


class TestTicketApprovalsAndCancel:
    SEE = {
        "anonymous": 401,
        "bad_token": 401,
        "requester": 200,
        "colleague": 404,
        "outsider": 404,
        "operator": 200,
        "specialist": 404,
        "other_agent": 404,
        "admin": 200,
    }

    @pytest.mark.parametrize("who", ROLES)
    def test_list_per_role(self, desk, approval, who):
        response = get(client_as(desk, who), f"/approvals/tickets/{approval.ticket.number}")
        assert response.status_code == self.SEE[who]
        if response.status_code == 200:
            assert response.json()[0]["state"] == "pending"

    @pytest.mark.parametrize("who", ROLES)
    def test_cancel_per_role(self, desk, approval, who):
        expected = {**self.SEE, "requester": 403}[who]
        response = post(client_as(desk, who), f"/approvals/{approval.pk}/cancel", {"reason": "x"})
        assert response.status_code == expected
        assert (Approval.objects.get().state == State.CANCELLED) == (expected == 200)
