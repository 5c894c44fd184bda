"""Approval pages: My approvals, the decision page, the email link, the ticket panel and its
actions, approval templates. Every role against every page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client

from tuki.approvals import services
from tuki.approvals.models import Approval, ApprovalDecision, ApprovalTemplate, State
from tuki.lib.testing import Queries, assert_same_count, query_budget
from tuki.mail.models import OutboundMessage
from tuki.tickets.models import Ticket

ROLES = [
    "requester",
    "colleague",
    "outsider",
    "operator",
    "specialist",
    "lead",
    "other_agent",
    "admin",
]


def client(desk, who):
    return Client() if who == "anonymous" else desk.client_for(getattr(desk, who))


@pytest.fixture
def approval(desk, hw_request, managers):
    """Two steps: Boss 1 (any), then Boss 2 and the lead (all)."""
    return services.request_approval(
        desk.operator,
        hw_request,
        steps=[
            {"rule": "any", "users": [managers[0].pk]},
            {"rule": "all", "users": [managers[1].pk, desk.lead.pk]},
        ],
    )


def first_step(approval):
    return approval.steps.get(position=1)


def link_of(user, step):
    return services.link_url(user, step).split("127.0.0.1:8000", 1)[-1]


class TestMyApprovals:
    def test_anonymous_visitors_sign_in(self, desk, approval):
        response = Client().get("/approvals/")
        assert response.status_code == 302 and "/login/" in response.url

    def test_an_approver_who_is_no_agent_sees_what_waits(self, desk, approval, managers):
        response = desk.client_for(managers[0]).get("/approvals/")
        assert response.status_code == 200
        assert approval.ticket.number.encode() in response.content

    def test_a_later_steps_approver_sees_nothing_yet(self, desk, approval, managers):
        response = desk.client_for(managers[1]).get("/approvals/")
        assert approval.ticket.number.encode() not in response.content

    @pytest.mark.parametrize("who", ROLES)
    def test_everyone_else_sees_an_empty_list(self, desk, approval, who):
        response = client(desk, who).get("/approvals/")
        assert response.status_code == 200
        assert approval.ticket.number.encode() not in response.content

    def test_decided_steps_leave_the_list_and_show_as_my_decisions(self, desk, approval, managers):
        services.decide(managers[0], first_step(approval), "approve", "Yes")
        content = desk.client_for(managers[0]).get("/approvals/").content.decode()
        assert 'id="approvals-waiting"' not in content and 'id="approvals-decided"' in content

    def test_the_page_runs_the_same_queries_for_one_or_many(self, desk, managers, hw_request):
        from tuki.tickets import services as tickets

        def count() -> Queries:
            c = desk.client_for(managers[0])
            c.get("/approvals/")
            with query_budget() as queries:
                assert c.get("/approvals/").status_code == 200
            return queries

        services.request_approval(desk.operator, hw_request, steps=[{"users": [managers[0].pk]}])
        small = count()
        for n in range(5):
            t = tickets.create_ticket(
                desk.operator, title=f"R{n}", requester=desk.requester, kind="request"
            )
            a = services.request_approval(
                desk.operator, t, steps=[{"users": [managers[0].pk, managers[1].pk], "rule": "all"}]
            )
            if n % 2:
                services.decide(managers[0], a.steps.get(), "approve")
        assert_same_count(small, count())


class TestDecisionPage:
    def test_the_approver_decides_signed_in(self, desk, approval, managers):
        step = first_step(approval)
        c = desk.client_for(managers[0])
        page = c.get(f"/approvals/steps/{step.pk}/")
        assert page.status_code == 200 and b'id="approval-form"' in page.content
        response = c.post(f"/approvals/steps/{step.pk}/", {"decision": "approve", "comment": "OK"})
        assert response.status_code == 302
        assert ApprovalDecision.objects.get().via == "web"

    @pytest.mark.parametrize("who", ROLES + ["anonymous"])
    def test_nobody_else_may_open_or_decide(self, desk, approval, who):
        step = first_step(approval)
        c = client(desk, who)
        for response in (
            c.get(f"/approvals/steps/{step.pk}/"),
            c.post(f"/approvals/steps/{step.pk}/", {"decision": "approve"}),
        ):
            assert response.status_code in (302, 404)
            if response.status_code == 302:
                assert who == "anonymous" and "/login/" in response.url
        assert not ApprovalDecision.objects.exists()

    def test_a_reject_without_a_comment_is_a_field_error(self, desk, approval, managers):
        step = first_step(approval)
        response = desk.client_for(managers[0]).post(
            f"/approvals/steps/{step.pk}/", {"decision": "reject", "comment": ""}
        )
        assert response.status_code == 422 and b"invalid-feedback" in response.content
        assert not ApprovalDecision.objects.exists()

    def test_a_bad_decision_value_is_refused(self, desk, approval, managers):
        step = first_step(approval)
        response = desk.client_for(managers[0]).post(
            f"/approvals/steps/{step.pk}/", {"decision": "maybe"}
        )
        assert response.status_code == 422
        assert not ApprovalDecision.objects.exists()

    def test_a_waiting_step_says_so(self, desk, approval, managers):
        second = approval.steps.get(position=2)
        c = desk.client_for(managers[1])
        assert b'id="approval-closed"' in c.get(f"/approvals/steps/{second.pk}/").content
        response = c.post(f"/approvals/steps/{second.pk}/", {"decision": "approve"})
        # The approvers speak Finnish: the message comes in their language.
        assert response.status_code == 422
        assert "Tämä vaihe odottaa aiemman vaiheen päätöstä." in response.content.decode()

    def test_next_goes_back_to_the_ticket_only_on_this_site(self, desk, approval, managers):
        step = first_step(approval)
        response = desk.client_for(managers[0]).post(
            f"/approvals/steps/{step.pk}/",
            {"decision": "approve", "next": "https://evil.example/"},
        )
        assert response.url == "/approvals/"


class TestEmailLink:
    def test_the_mail_carries_a_link_that_opens_the_confirm_page_and_get_decides_nothing(
        self, desk, approval, managers
    ):
        raw = OutboundMessage.objects.get(what="approval", to_address="boss1@acme.fi").raw.decode()
        path = re.search(r"http://127\.0\.0\.1:8000(/approvals/link/\S+/)", raw)[1]
        page = Client().get(path)
        assert page.status_code == 200
        assert b"New laptop for Maija" in page.content and b'id="approval-form"' in page.content
        Client().get(path)
        assert not ApprovalDecision.objects.exists()
        assert Approval.objects.get().state == State.PENDING

    def test_post_decides_as_the_approver_by_email(self, desk, approval, managers):
        path = link_of(managers[0], first_step(approval))
        response = Client().post(path, {"decision": "approve", "comment": "Go"})
        assert response.status_code == 200 and b'id="approval-decided"' in response.content
        decision = ApprovalDecision.objects.get()
        assert decision.approver == managers[0] and decision.via == "email"

    def test_the_page_shows_the_summary_and_no_conversation(self, desk, approval, managers):
        from tuki.tickets import services as tickets

        tickets.add_comment(desk.operator, approval.ticket, "Secret internal note", internal=True)
        page = Client().get(link_of(managers[0], first_step(approval)))
        assert b"Secret internal note" not in page.content
        assert b"maija@acme.fi" not in page.content

    def test_signed_out_the_page_speaks_the_approvers_language(self, desk, approval, managers):
        page = Client().get(link_of(managers[0], first_step(approval)))
        assert b'<html lang="fi">' in page.content

    def test_used_twice_the_second_time_says_it_is_done(self, desk, approval, managers):
        path = link_of(managers[0], first_step(approval))
        Client().post(path, {"decision": "approve"})
        again = Client().post(path, {"decision": "reject", "comment": "changed my mind"})
        assert again.status_code == 422
        assert ApprovalDecision.objects.count() == 1
        assert b'id="approval-decided"' in Client().get(path).content

    def test_a_tampered_link_is_refused(self, desk, approval, managers):
        path = link_of(managers[0], first_step(approval))
        token = path.rstrip("/").rsplit("/", 1)[-1]
        forged = signing.dumps({"u": managers[1].pk, "s": first_step(approval).pk}, salt="other")
        for bad in (token[:-2] + "xx", forged, "nonsense"):
            response = Client().post(f"/approvals/link/{bad}/", {"decision": "approve"})
            assert response.status_code == 400
        assert not ApprovalDecision.objects.exists()

    def test_an_expired_link_is_refused(self, desk, approval, managers, monkeypatch):
        path = link_of(managers[0], first_step(approval))
        later = __import__("time").time() + timedelta(days=15).total_seconds()
        monkeypatch.setattr("django.core.signing.time.time", lambda: later)
        response = Client().post(path, {"decision": "approve"})
        assert response.status_code == 410
        assert not ApprovalDecision.objects.exists()

    def test_someone_else_signed_in_cannot_use_it(self, desk, approval, managers):
        path = link_of(managers[0], first_step(approval))
        for who in (desk.operator, managers[1], desk.admin):
            c = desk.client_for(who)
            assert c.get(path).status_code == 403
            assert c.post(path, {"decision": "approve"}).status_code == 403
        assert not ApprovalDecision.objects.exists()

    def test_the_approver_signed_in_may_use_it(self, desk, approval, managers):
        path = link_of(managers[0], first_step(approval))
        assert desk.client_for(managers[0]).post(path, {"decision": "approve"}).status_code == 200

    def test_a_link_for_someone_no_longer_an_approver_is_a_404(self, desk, approval, managers):
        path = link_of(managers[1], first_step(approval))
        assert Client().get(path).status_code == 404


def ticket_page(ticket):
    return f"/desk/tickets/{ticket.number}/"


class TestPanel:
    def test_agents_see_the_steps_and_who_decided(self, desk, approval, managers):
        services.decide(managers[0], first_step(approval), "approve", "Budget OK")
        content = desk.client_for(desk.operator).get(ticket_page(approval.ticket)).content.decode()
        assert 'id="approvals-panel"' in content and "Budget OK" in content
        assert "Cancel this approval" in content

    def test_an_agent_approver_decides_from_the_panel(self, desk, managers, hw_request):
        approval = services.request_approval(
            desk.operator, hw_request, steps=[{"users": [desk.operator.pk]}]
        )
        c = desk.client_for(desk.operator)
        assert b"ws-approval-decide" in c.get(ticket_page(hw_request)).content
        step = approval.steps.get()
        response = c.post(
            f"/approvals/steps/{step.pk}/",
            {"decision": "approve", "next": ticket_page(hw_request)},
        )
        assert response.url == ticket_page(hw_request)
        assert Ticket.objects.get(pk=hw_request.pk).status.key == "assigned"

    def test_incidents_have_no_panel(self, desk, incident):
        content = desk.client_for(desk.operator).get(ticket_page(incident)).content
        assert b'id="approvals-panel"' not in content

    def test_the_request_form_lists_fitting_templates(self, desk, hw_request, managers):
        services.create_template(
            desk.admin, name="Hardware", steps=[{"users": [managers[0].pk]}], kinds=["request"]
        )
        services.create_template(
            desk.admin, name="CAB", steps=[{"users": [managers[0].pk]}], kinds=["change"]
        )
        content = desk.client_for(desk.operator).get(ticket_page(hw_request)).content.decode()
        assert "Hardware" in content and "CAB" not in content

    def test_the_panel_costs_the_same_queries_for_one_or_many(self, desk, managers):
        from tuki.tickets import services as tickets

        def count(ticket) -> Queries:
            c = desk.client_for(desk.operator)
            c.get(ticket_page(ticket))
            with query_budget() as queries:
                assert c.get(ticket_page(ticket)).status_code == 200
            return queries

        small = tickets.create_ticket(
            desk.operator, title="S", requester=desk.requester, kind="request"
        )
        services.request_approval(desk.operator, small, steps=[{"users": [managers[0].pk]}])
        big = tickets.create_ticket(
            desk.operator, title="B", requester=desk.requester, kind="request"
        )
        for n in range(3):
            a = services.request_approval(
                desk.operator,
                big,
                steps=[
                    {"rule": "all", "users": [m.pk for m in managers]},
                    {"users": [desk.lead.pk]},
                ],
            )
            services.decide(managers[0], a.steps.get(position=1), "approve", "ok")
            if n < 2:
                services.cancel_approval(desk.operator, a)
        assert_same_count(count(small), count(big))


class TestRequestAndCancel:
    def test_an_agent_requests_with_a_template(self, desk, hw_request, managers):
        template = services.create_template(
            desk.admin, name="Hardware", steps=[{"users": [managers[0].pk]}]
        )
        response = desk.client_for(desk.operator).post(
            f"/approvals/tickets/{hw_request.number}/request/", {"template": template.pk}
        )
        assert response.status_code == 302 and response.url == ticket_page(hw_request)
        assert Approval.objects.get().state == State.PENDING

    def test_a_missing_template_is_a_field_error(self, desk, hw_request):
        response = desk.client_for(desk.operator).post(
            f"/approvals/tickets/{hw_request.number}/request/", {"template": "999"}
        )
        assert response.status_code == 422 and b"invalid-feedback" in response.content
        assert not Approval.objects.exists()

    @pytest.mark.parametrize("who", ["requester", "colleague", "outsider", "other_agent"])
    def test_others_get_a_404(self, desk, hw_request, managers, who):
        template = services.create_template(
            desk.admin, name="Hardware", steps=[{"users": [managers[0].pk]}]
        )
        response = client(desk, who).post(
            f"/approvals/tickets/{hw_request.number}/request/", {"template": template.pk}
        )
        assert response.status_code == 404
        assert not Approval.objects.exists()

    def test_anonymous_signs_in(self, desk, hw_request):
        response = Client().post(f"/approvals/tickets/{hw_request.number}/request/", {})
        assert response.status_code == 302 and "/login/" in response.url

    def test_get_is_not_allowed(self, desk, hw_request):
        response = desk.client_for(desk.operator).get(
            f"/approvals/tickets/{hw_request.number}/request/"
        )
        assert response.status_code == 405

    @pytest.mark.parametrize(
        "who, status, state",
        [
            ("operator", 302, "cancelled"),
            ("admin", 302, "cancelled"),
            ("requester", 404, "pending"),
            ("outsider", 404, "pending"),
            ("other_agent", 404, "pending"),
            ("anonymous", 302, "pending"),
        ],
    )
    def test_cancel_per_role(self, desk, approval, who, status, state):
        response = client(desk, who).post(f"/approvals/{approval.pk}/cancel/")
        assert response.status_code == status
        assert Approval.objects.get().state == state

    def test_an_approver_who_is_no_agent_cannot_cancel(self, desk, approval, managers):
        response = desk.client_for(managers[0]).post(f"/approvals/{approval.pk}/cancel/")
        assert response.status_code == 404
        assert Approval.objects.get().state == State.PENDING


class TestTemplatePages:
    def form_data(self, desk, managers, **extra):
        data = {
            "name": "New hardware",
            "description": "",
            "kinds": ["request"],
            "is_active": "on",
            "steps-TOTAL_FORMS": "2",
            "steps-INITIAL_FORMS": "0",
            "steps-0-rule": "any",
            "steps-0-users": [str(managers[0].pk)],
            "steps-0-group": "",
            "steps-1-rule": "majority",
            "steps-1-group": str(desk.network_hel.pk),
        }
        data.update(extra)
        return data

    @pytest.mark.parametrize(
        "who",
        ["requester", "colleague", "outsider", "operator", "specialist", "lead", "other_agent"],
    )
    def test_only_staff_see_them(self, desk, who, managers):
        c = client(desk, who)
        assert c.get("/approvals/templates/").status_code == 404
        assert (
            c.post("/approvals/templates/new/", self.form_data(desk, managers)).status_code == 404
        )
        assert not ApprovalTemplate.objects.exists()

    def test_anonymous_signs_in(self, desk):
        assert Client().get("/approvals/templates/").status_code == 302

    def test_staff_create_edit_and_delete(self, desk, managers):
        c = desk.client_for(desk.admin)
        assert c.get("/approvals/templates/new/").status_code == 200
        response = c.post("/approvals/templates/new/", self.form_data(desk, managers))
        assert response.status_code == 302
        template = ApprovalTemplate.objects.get()
        assert template.steps == [
            {"rule": "any", "users": [managers[0].pk], "group": None},
            {"rule": "majority", "users": [], "group": desk.network_hel.pk},
        ]
        listing = c.get("/approvals/templates/").content.decode()
        assert "New hardware" in listing and "Network Helsinki" in listing
        assert c.get(f"/approvals/templates/{template.pk}/").status_code == 200
        data = self.form_data(desk, managers, name="Hardware", **{"steps-1-group": ""})
        assert c.post(f"/approvals/templates/{template.pk}/", data).status_code == 302
        template.refresh_from_db()
        assert template.name == "Hardware" and len(template.steps) == 1
        assert c.post(f"/approvals/templates/{template.pk}/delete/").status_code == 302
        assert not ApprovalTemplate.objects.exists()

    def test_no_steps_is_an_error_and_nothing_is_saved(self, desk, managers):
        data = self.form_data(desk, managers, **{"steps-0-users": [], "steps-1-group": ""})
        response = desk.client_for(desk.admin).post("/approvals/templates/new/", data)
        assert response.status_code == 422 and b"Add at least one step" in response.content
        assert not ApprovalTemplate.objects.exists()

    def test_an_empty_name_is_a_field_error(self, desk, managers):
        response = desk.client_for(desk.admin).post(
            "/approvals/templates/new/", self.form_data(desk, managers, name="")
        )
        assert response.status_code == 422 and b"invalid-feedback" in response.content

    def test_a_group_with_no_members_is_an_error_on_its_row(self, desk, managers):
        desk.network_buc.members.clear()
        data = self.form_data(desk, managers, **{"steps-1-group": str(desk.network_buc.pk)})
        response = desk.client_for(desk.admin).post("/approvals/templates/new/", data)
        assert response.status_code == 422 and b"active members" in response.content
        assert not ApprovalTemplate.objects.exists()

    def test_another_template_id_is_a_404(self, desk):
        assert desk.client_for(desk.admin).get("/approvals/templates/9999/").status_code == 404


class TestAdmin:
    def test_the_data_administration_lists_approvals_read_only(self, desk, approval):
        c = desk.client_for(desk.admin)
        assert c.get("/admin/approvals/approval/").status_code == 200
        assert c.get(f"/admin/approvals/approval/{approval.pk}/change/").status_code == 200
        assert c.get("/admin/approvals/approvaltemplate/add/").status_code == 403
