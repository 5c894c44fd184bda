"""Workflow, routing, links and merges over the API: each one service call, errors by field."""

from __future__ import annotations

import pytest

from tuki.tickets import services
from tuki.tickets.models import Ticket
from tuki.tickets.tests.test_api_support import error_fields, post, token_client


@pytest.fixture
def operator(desk):
    return token_client(desk.operator)


class TestStatus:
    def test_a_move_the_workflow_allows(self, desk, escalated, operator):
        response = post(operator, f"/tickets/{escalated.number}/status", {"status": "in_progress"})
        assert response.json()["status"]["key"] == "in_progress"

    @pytest.mark.parametrize("status", ["closed", "no-such-status"])
    def test_a_move_the_workflow_refuses_names_status(self, desk, escalated, operator, status):
        response = post(operator, f"/tickets/{escalated.number}/status", {"status": status})
        assert error_fields(response) == ["status"]
        escalated.refresh_from_db()
        assert escalated.status.key == "assigned"

    def test_a_missing_status_is_a_422(self, desk, escalated, operator):
        assert error_fields(post(operator, f"/tickets/{escalated.number}/status", {})) == ["status"]


class TestResolveReopenClose:
    def test_resolve_needs_a_known_code(self, desk, escalated, operator):
        response = post(operator, f"/tickets/{escalated.number}/resolve", {"code": "magic"})
        assert error_fields(response) == ["code"]

    def test_resolve_then_reopen_then_close_is_refused(self, desk, escalated, operator):
        path = f"/tickets/{escalated.number}"
        body = post(operator, f"{path}/resolve", {"code": "workaround", "resolution": "Reboot"})
        assert body.json()["status"]["category"] == "resolved"
        assert body.json()["resolution_code"] == "workaround"
        requester = token_client(desk.requester)
        reopened = post(requester, f"{path}/reopen", {"reason": "Still broken"})
        assert reopened.json()["reopen_count"] == 1
        # A requester may only confirm a resolved ticket.
        assert error_fields(post(requester, f"{path}/close")) == ["status"]

    def test_actions_without_a_body_work_as_curl_sends_them(self, desk, escalated):
        services.resolve_ticket(desk.specialist, escalated, code="solved")
        response = token_client(desk.requester).generic(
            "POST", f"/api/v1/tickets/{escalated.number}/close"
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"]["key"] == "closed"

    def test_reopening_an_active_ticket_is_a_422(self, desk, escalated, operator):
        assert error_fields(post(operator, f"/tickets/{escalated.number}/reopen")) == ["status"]


class TestRouting:
    def test_assign_to_a_member_of_another_group(self, desk, incident, operator):
        response = post(
            operator,
            f"/tickets/{incident.number}/assign",
            {"group": desk.network_hel.pk, "assignee": desk.specialist.pk, "reason": "Network"},
        )
        body = response.json()
        assert (body["group"]["id"], body["assignee"]["id"]) == (
            desk.network_hel.pk,
            desk.specialist.pk,
        )

    @pytest.mark.parametrize(
        "body, field",
        [
            ({"assignee": 9999}, "assignee"),
            ({"group": 9999}, "group"),
            ({"assignee": "me"}, "assignee"),
        ],
    )
    def test_assign_refuses_unknown_ids(self, desk, incident, operator, body, field):
        assert error_fields(post(operator, f"/tickets/{incident.number}/assign", body)) == [field]

    def test_assign_refuses_a_non_member(self, desk, incident, operator):
        response = post(
            operator, f"/tickets/{incident.number}/assign", {"assignee": desk.other_agent.pk}
        )
        assert error_fields(response) == ["assignee"]

    def test_escalate_to_a_group_keeps_the_owner(self, desk, incident, operator):
        response = post(
            operator, f"/tickets/{incident.number}/escalate", {"group": desk.network_hel.pk}
        )
        body = response.json()
        assert body["group"]["name"] == "Network Helsinki"
        assert body["owner_group"]["name"] == "Service Desk"

    def test_escalate_needs_a_target(self, desk, incident, operator):
        assert error_fields(post(operator, f"/tickets/{incident.number}/escalate", {})) == ["group"]

    def test_escalate_to_the_manager(self, desk, escalated, operator):
        response = post(operator, f"/tickets/{escalated.number}/escalate", {"to_manager": True})
        assert response.json()["escalated_to"]["id"] == desk.lead.pk

    def test_take(self, desk, escalated):
        response = post(token_client(desk.specialist), f"/tickets/{escalated.number}/take")
        body = response.json()
        assert body["assignee"]["id"] == desk.specialist.pk
        assert body["status"]["key"] == "in_progress"


class TestLinksAndMerge:
    @pytest.fixture
    def other(self, desk) -> Ticket:
        return services.create_ticket(desk.operator, title="VPN down", requester=desk.colleague)

    def test_link(self, desk, incident, other, operator):
        response = post(
            operator,
            f"/tickets/{incident.number}/links",
            {"target": other.number, "type": "caused_by"},
        )
        assert response.status_code == 201
        assert response.json() | {"id": 0} == {
            "id": 0,
            "source": incident.number,
            "target": other.number,
            "type": "caused_by",
        }

    @pytest.mark.parametrize(
        "body, field",
        [
            ({"target": "INC-9999"}, "target"),
            ({"target": "nonsense"}, "target"),
            ({"target": "SELF"}, "target"),
            ({"target": "OTHER", "type": "cousin_of"}, "type"),
        ],
    )
    def test_link_refusals_name_the_field(self, desk, incident, other, operator, body, field):
        numbers = {"SELF": incident.number, "OTHER": other.number}
        body = {k: numbers.get(v, v) for k, v in body.items()}
        response = post(operator, f"/tickets/{incident.number}/links", body)
        assert error_fields(response) == [field]

    def test_a_ticket_the_caller_cannot_see_is_an_unknown_target(self, desk, escalated):
        hidden = services.create_ticket(desk.other_agent, title="SAP", requester=desk.colleague)
        response = post(
            token_client(desk.specialist),
            f"/tickets/{escalated.number}/links",
            {"target": hidden.number},
        )
        assert error_fields(response) == ["target"]

    def test_merge(self, desk, incident, other, operator):
        response = post(operator, f"/tickets/{other.number}/merge", {"into": incident.number})
        assert response.status_code == 200
        assert response.json()["number"] == incident.number
        other.refresh_from_db()
        assert other.merged_into_id == incident.pk

    @pytest.mark.parametrize("into", ["SELF", "INC-9999"])
    def test_merge_refusals_name_into(self, desk, incident, operator, into):
        into = incident.number if into == "SELF" else into
        response = post(operator, f"/tickets/{incident.number}/merge", {"into": into})
        assert error_fields(response) == ["into"]
