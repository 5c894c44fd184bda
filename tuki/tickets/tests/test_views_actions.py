"""Ticket actions from the ticket page: the composer and every action form, per role."""

import pytest
from django.test import Client, override_settings

from tuki.tickets import services
from tuki.tickets.models import Comment, Ticket, TicketEvent, TicketLink

HTMX = {"HTTP_HX_REQUEST": "true"}
HIDDEN = ["requester", "colleague", "outsider", "other_agent"]


def url(ticket: Ticket, action: str) -> str:
    return f"/desk/tickets/{ticket.number}/{action}/"


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.with_related().get(pk=ticket.pk)


@pytest.fixture
def other(desk):
    """A second ticket with the service desk, for links and merges."""
    return services.create_ticket(desk.operator, title="VPN slow", requester=desk.colleague)


def payloads(desk, other) -> dict[str, dict]:
    return {
        "comment": {"visibility": "internal", "body": "Checked the logs"},
        "take": {},
        "assign": {"assignee": desk.specialist.pk},
        "escalate": {"mode": "functional", "group": desk.apps.pk, "reason": "Looks like the app"},
        "status": {"status": "in_progress"},
        "resolve": {"code": "solved", "resolution": "Replaced the cable"},
        "link": {"link_type": "related", "number": other.number},
        "merge": {"number": other.number},
    }


ACTIONS = ["comment", "take", "assign", "escalate", "status", "resolve", "link", "merge"]


class TestWhoMayAct:
    @pytest.mark.parametrize("action", ACTIONS)
    @pytest.mark.parametrize("who", HIDDEN)
    def test_those_who_cannot_see_the_ticket_get_a_404_and_nothing_is_written(
        self, desk, escalated, other, action, who
    ):
        before = TicketEvent.objects.count()
        response = desk.client_for(getattr(desk, who)).post(
            url(escalated, action), payloads(desk, other)[action]
        )
        assert response.status_code == 404
        assert TicketEvent.objects.count() == before

    @pytest.mark.parametrize("action", ACTIONS)
    def test_anonymous_visitors_are_sent_to_sign_in(self, desk, escalated, other, action):
        before = TicketEvent.objects.count()
        response = Client().post(url(escalated, action), payloads(desk, other)[action])
        assert response.status_code == 302 and response.url.startswith("/login/")
        assert TicketEvent.objects.count() == before

    @pytest.mark.parametrize("action", ACTIONS)
    def test_the_specialist_working_the_ticket_may_act(self, desk, escalated, other, action):
        services.escalate_ticket(desk.operator, other, group=desk.network_hel)
        before = TicketEvent.objects.filter(ticket=escalated).count()
        response = desk.client_for(desk.specialist).post(
            url(escalated, action), payloads(desk, other)[action]
        )
        assert response.status_code == 302
        assert TicketEvent.objects.filter(ticket=escalated).count() > before

    @pytest.mark.parametrize("action", ["comment", "assign", "status", "resolve", "link", "merge"])
    @pytest.mark.parametrize("who", ["operator", "admin"])
    def test_the_owning_desk_and_admins_may_act(self, desk, incident, other, action, who):
        data = payloads(desk, other)[action]
        if action == "assign":
            data = {"assignee": desk.operator.pk}
        response = desk.client_for(getattr(desk, who)).post(url(incident, action), data)
        assert response.status_code == 302

    @pytest.mark.parametrize("action", ACTIONS)
    def test_actions_only_accept_posts(self, desk, escalated, action):
        assert desk.client_for(desk.specialist).get(url(escalated, action)).status_code == 405


class TestComposer:
    def test_the_desk_sends_a_public_reply(self, desk, escalated):
        response = desk.client_for(desk.operator).post(
            url(escalated, "comment"), {"visibility": "public", "body": "We are on it"}
        )
        assert response.status_code == 302 and response.url == escalated.get_absolute_url()
        comment = Comment.objects.get()
        assert not comment.is_internal and comment.author == desk.operator

    def test_an_htmx_send_redirects_the_browser(self, desk, escalated):
        response = desk.client_for(desk.operator).post(
            url(escalated, "comment"), {"visibility": "internal", "body": "note"}, **HTMX
        )
        assert response.status_code == 200
        assert response["HX-Redirect"] == escalated.get_absolute_url()

    def test_a_specialist_may_not_reply_publicly_and_is_told_why(self, desk, escalated):
        response = desk.client_for(desk.specialist).post(
            url(escalated, "comment"), {"visibility": "public", "body": "Hello user"}, **HTMX
        )
        assert response.status_code == 422
        assert "may not write to requesters" in response.content.decode()
        assert not Comment.objects.exists()

    def test_an_empty_message_is_refused_next_to_the_text(self, desk, escalated):
        response = desk.client_for(desk.operator).post(
            url(escalated, "comment"), {"visibility": "public", "body": "  "}
        )
        assert response.status_code == 422
        assert response.context["composer"].errors["body"]
        assert not Comment.objects.exists()

    def test_several_files_arrive_with_the_note(self, desk, escalated, tmp_path):
        one, two = tmp_path / "a.txt", tmp_path / "b.log"
        one.write_text("first")
        two.write_text("second")
        with one.open("rb") as a, two.open("rb") as b:
            response = desk.client_for(desk.specialist).post(
                url(escalated, "comment"),
                {"visibility": "internal", "body": "logs", "attachments": [a, b]},
            )
        assert response.status_code == 302
        comment = Comment.objects.get()
        assert sorted(comment.attachments.values_list("filename", flat=True)) == ["a.txt", "b.log"]
        assert all(comment.attachments.values_list("is_internal", flat=True))

    @override_settings(MAX_ATTACHMENT_SIZE=10)
    def test_an_oversize_file_is_refused_with_a_message_and_nothing_is_written(
        self, desk, escalated, tmp_path
    ):
        big = tmp_path / "big.bin"
        big.write_bytes(b"x" * 11)
        with big.open("rb") as handle:
            response = desk.client_for(desk.operator).post(
                url(escalated, "comment"),
                {"visibility": "public", "body": "see file", "attachments": [handle]},
                **HTMX,
            )
        assert response.status_code == 422
        assert "larger than the limit" in response.content.decode()
        assert not Comment.objects.exists()

    def test_sending_can_change_the_status(self, desk, escalated):
        desk.client_for(desk.operator).post(
            url(escalated, "comment"),
            {"visibility": "public", "body": "Could you restart?", "status": "pending_customer"},
        )
        assert fresh(escalated).status.key == "pending_customer"
        assert Comment.objects.count() == 1

    def test_a_status_the_workflow_does_not_allow_keeps_the_message_unsent(self, desk, escalated):
        response = desk.client_for(desk.operator).post(
            url(escalated, "comment"),
            {"visibility": "public", "body": "Bye", "status": "closed"},
        )
        assert response.status_code == 422
        assert not Comment.objects.exists()
        assert fresh(escalated).status.key == "assigned"


class TestRouting:
    def test_take_assigns_to_me_and_starts_work(self, desk, escalated):
        desk.client_for(desk.specialist).post(url(escalated, "take"))
        ticket = fresh(escalated)
        assert (ticket.assignee, ticket.status.key) == (desk.specialist, "in_progress")

    def test_take_outside_my_groups_is_refused_with_the_reason(self, desk, escalated):
        response = desk.client_for(desk.operator).post(url(escalated, "take"), **HTMX)
        assert response.status_code == 422
        assert "not a member" in response.content.decode()
        assert fresh(escalated).assignee is None

    def test_assign_to_a_group_and_member(self, desk, escalated):
        desk.client_for(desk.operator).post(
            url(escalated, "assign"),
            {"group": desk.service_desk.pk, "assignee": desk.operator.pk, "reason": "Back to us"},
        )
        ticket = fresh(escalated)
        assert (ticket.group, ticket.assignee) == (desk.service_desk, desk.operator)

    def test_assigning_someone_outside_the_group_is_a_field_error(self, desk, escalated):
        response = desk.client_for(desk.operator).post(
            url(escalated, "assign"), {"assignee": desk.other_agent.pk}, **HTMX
        )
        assert response.status_code == 422
        assert b'id="action-form-assign"' in response.content
        assert "not a member" in response.content.decode()
        assert fresh(escalated).assignee is None

    def test_functional_escalation_moves_the_work_not_the_ownership(self, desk, incident):
        desk.client_for(desk.operator).post(
            url(incident, "escalate"),
            {"mode": "functional", "group": desk.network_hel.pk, "reason": "Network issue"},
        )
        ticket = fresh(incident)
        assert (ticket.group, ticket.owner_group) == (desk.network_hel, desk.service_desk)

    def test_hierarchical_escalation_brings_in_the_manager(self, desk, escalated):
        desk.client_for(desk.specialist).post(
            url(escalated, "escalate"), {"mode": "hierarchical", "reason": "VIP affected"}
        )
        assert fresh(escalated).escalated_to == desk.lead

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"mode": "functional", "reason": "x"}, "group"),
            ({"mode": "functional", "group": "1"}, "reason"),
            ({"mode": "sideways", "reason": "x"}, "mode"),
        ],
    )
    def test_escalation_needs_a_group_and_a_reason(self, desk, incident, data, field):
        before = TicketEvent.objects.count()
        response = desk.client_for(desk.operator).post(url(incident, "escalate"), data)
        assert response.status_code == 422
        assert response.context["failed_action"] == "escalate"
        assert field in response.context["actions"]["escalate"].errors
        assert TicketEvent.objects.count() == before

    def test_a_group_without_manager_cannot_be_escalated_hierarchically(self, desk, incident):
        response = desk.client_for(desk.operator).post(
            url(incident, "escalate"), {"mode": "hierarchical", "reason": "x"}, **HTMX
        )
        assert response.status_code == 422
        assert "no manager" in response.content.decode()


class TestStatus:
    def test_a_status_the_workflow_allows(self, desk, escalated):
        desk.client_for(desk.specialist).post(
            url(escalated, "status"), {"status": "pending_supplier", "reason": "Waiting for ISP"}
        )
        assert fresh(escalated).status.key == "pending_supplier"

    @pytest.mark.parametrize("status", ["resolved", "closed", "new", "bogus"])
    def test_statuses_outside_the_workflow_are_refused(self, desk, escalated, status):
        response = desk.client_for(desk.specialist).post(
            url(escalated, "status"), {"status": status}, **HTMX
        )
        assert response.status_code == 422
        assert fresh(escalated).status.key == "assigned"

    def test_resolve_records_code_and_text(self, desk, escalated):
        desk.client_for(desk.specialist).post(
            url(escalated, "resolve"), {"code": "workaround", "resolution": "Use the LTE hotspot"}
        )
        ticket = fresh(escalated)
        assert ticket.status.category == "resolved"
        assert (ticket.resolution_code, ticket.resolution) == ("workaround", "Use the LTE hotspot")

    @pytest.mark.parametrize("data", [{"code": "solved"}, {"code": "magic", "resolution": "x"}])
    def test_resolve_needs_a_known_code_and_a_resolution(self, desk, escalated, data):
        response = desk.client_for(desk.specialist).post(url(escalated, "resolve"), data)
        assert response.status_code == 422
        assert fresh(escalated).status.key == "assigned"

    def test_reopen_a_resolved_ticket_with_a_reason(self, desk, escalated):
        services.resolve_ticket(desk.specialist, escalated, code="solved", resolution="ok")
        desk.client_for(desk.operator).post(url(escalated, "reopen"), {"reason": "Back again"})
        ticket = fresh(escalated)
        assert ticket.is_active and ticket.reopen_count == 1

    def test_reopening_an_active_ticket_is_refused(self, desk, escalated):
        response = desk.client_for(desk.operator).post(
            url(escalated, "reopen"), {"reason": "?"}, **HTMX
        )
        assert response.status_code == 422
        assert "Only resolved tickets" in response.content.decode()

    def test_close_a_resolved_ticket(self, desk, escalated):
        services.resolve_ticket(desk.specialist, escalated, code="solved", resolution="ok")
        response = desk.client_for(desk.operator).post(url(escalated, "close"))
        assert response.status_code == 302
        assert fresh(escalated).status.key == "closed"

    @pytest.mark.parametrize("who", HIDDEN)
    def test_reopen_and_close_are_hidden_from_others(self, desk, escalated, who):
        services.resolve_ticket(desk.specialist, escalated, code="solved", resolution="ok")
        client = desk.client_for(getattr(desk, who))
        assert client.post(url(escalated, "reopen"), {"reason": "x"}).status_code == 404
        assert client.post(url(escalated, "close")).status_code == 404
        assert fresh(escalated).status.key == "resolved"


class TestLinksAndMerge:
    def test_link_by_number(self, desk, incident, other):
        desk.client_for(desk.operator).post(
            url(incident, "link"), {"link_type": "caused_by", "number": other.number.lower()}
        )
        assert TicketLink.objects.filter(source=incident, target=other, type="caused_by").exists()

    @pytest.mark.parametrize("number", ["INC-999", "nonsense", ""])
    def test_an_unknown_number_is_a_field_error(self, desk, incident, number):
        response = desk.client_for(desk.operator).post(
            url(incident, "link"), {"link_type": "related", "number": number}
        )
        assert response.status_code == 422
        assert "number" in response.context["actions"]["link"].errors
        assert not TicketLink.objects.exists()

    def test_a_ticket_the_user_cannot_see_cannot_be_linked(self, desk, escalated):
        secret = services.create_ticket(desk.other_agent, title="Apps", requester=desk.colleague)
        response = desk.client_for(desk.specialist).post(
            url(escalated, "link"), {"link_type": "related", "number": secret.number}, **HTMX
        )
        assert response.status_code == 422
        assert "that you can see" in response.content.decode()

    def test_merge_closes_the_duplicate_and_opens_the_survivor(self, desk, incident, other):
        response = desk.client_for(desk.operator).post(
            url(incident, "merge"), {"number": other.number, "reason": "Same outage"}
        )
        assert response.status_code == 302 and response.url == other.get_absolute_url()
        duplicate = fresh(incident)
        assert duplicate.merged_into == other and duplicate.status.key == "closed"

    def test_merging_into_itself_is_refused(self, desk, incident):
        response = desk.client_for(desk.operator).post(
            url(incident, "merge"), {"number": incident.number}, **HTMX
        )
        assert response.status_code == 422
        assert "cannot be merged into itself" in response.content.decode()
        assert fresh(incident).merged_into is None
