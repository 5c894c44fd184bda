"""Approval services: rules any/all/majority, steps, groups, what happens to the ticket."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from tuki.approvals import services
from tuki.approvals.models import (
    Approval,
    ApprovalDecision,
    ApprovalTemplate,
    State,
    StepState,
)
from tuki.lib.errors import ServiceError
from tuki.mail.models import OutboundMessage
from tuki.tickets import services as tickets
from tuki.tickets.models import ActorKind, Ticket, TicketEvent


def ask(desk, ticket, *steps):
    return services.request_approval(desk.operator, ticket, steps=list(steps))


def one(rule, people):
    return {"rule": rule, "users": [p.pk for p in people]}


def status(ticket):
    return Ticket.objects.get(pk=ticket.pk).status.key


def approve(user, step, comment=""):
    return services.decide(user, step, "approve", comment)


def reject(user, step, comment="No budget"):
    return services.decide(user, step, "reject", comment)


def refreshed(approval):
    return Approval.objects.get(pk=approval.pk)


class TestOutcomeTable:
    @pytest.mark.parametrize(
        "rule, voters, approvals, rejections, outcome",
        [
            ("any", 3, 1, 0, "approved"),
            ("any", 3, 0, 2, ""),
            ("any", 3, 0, 3, "rejected"),
            ("all", 3, 2, 0, ""),
            ("all", 3, 3, 0, "approved"),
            ("all", 3, 2, 1, "rejected"),
            ("majority", 3, 2, 0, "approved"),
            ("majority", 3, 1, 1, ""),
            ("majority", 3, 0, 2, "rejected"),
            ("majority", 4, 2, 0, ""),
            ("majority", 4, 3, 0, "approved"),
            ("majority", 4, 2, 1, ""),
            ("majority", 4, 1, 2, "rejected"),
            ("majority", 1, 1, 0, "approved"),
            ("majority", 2, 1, 0, ""),
            ("majority", 2, 0, 1, "rejected"),
        ],
    )
    def test_a_step_passes_when_its_rule_is_met_and_fails_when_it_cannot_be(
        self, rule, voters, approvals, rejections, outcome
    ):
        assert services.step_outcome(rule, voters, approvals, rejections) == outcome


class TestRequest:
    def test_the_ticket_waits_and_the_first_steps_approvers_are_mailed_in_their_language(
        self, desk, hw_request, managers
    ):
        approval = ask(desk, hw_request, one("any", managers[:2]), one("all", managers[2:3]))
        assert status(hw_request) == "awaiting_approval"
        first, second = approval.steps.order_by("position")
        assert first.state == StepState.PENDING and second.state == StepState.WAITING
        assert approval.previous_status.key == "new"
        notices = OutboundMessage.objects.filter(what="approval").order_by("to_address")
        assert [n.to_address for n in notices] == ["boss1@acme.fi", "boss2@acme.fi"]
        raw = notices[0].raw.decode()
        assert "/approvals/link/" in raw
        events = TicketEvent.objects.filter(ticket=hw_request).values_list("action", flat=True)
        assert "approval_requested" in events

    def test_a_template_gives_the_steps(self, desk, hw_request, managers):
        template = services.create_template(
            desk.admin, name="Hardware", steps=[one("all", managers[:2])], kinds=["request"]
        )
        approval = services.request_approval(desk.operator, hw_request, template=template)
        assert approval.name == "Hardware" and approval.template == template
        assert set(approval.steps.get().voters.all()) == set(managers[:2])

    def test_a_rule_may_ask_with_no_actor(self, desk, hw_request, managers):
        template = services.create_template(desk.admin, name="Hw", steps=[one("any", managers)])
        with tickets.acting_as(ActorKind.RULE, "New hardware needs approval", rule_id=7, depth=1):
            services.request_approval(None, hw_request, template=template)
        event = TicketEvent.objects.get(ticket=hw_request, action="status")
        assert event.actor_kind == ActorKind.RULE and event.rule_id == 7

    def test_changes_may_wait_too(self, desk, change, managers):
        ask(desk, change, one("any", managers[:1]))
        assert status(change) == "awaiting_approval"

    def test_incidents_do_not_wait_for_approval(self, desk, incident, managers):
        with pytest.raises(ServiceError) as exc:
            ask(desk, incident, one("any", managers[:1]))
        assert exc.value.code == "kind_not_approvable"
        assert not Approval.objects.exists()

    def test_requesters_may_not_ask(self, desk, hw_request, managers):
        with pytest.raises(PermissionDenied):
            services.request_approval(desk.requester, hw_request, steps=[one("any", managers)])

    def test_an_agent_who_cannot_see_the_ticket_may_not_ask(self, desk, hw_request, managers):
        with pytest.raises(PermissionDenied):
            services.request_approval(desk.other_agent, hw_request, steps=[one("any", managers)])
        assert not Approval.objects.exists()

    def test_only_one_pending_approval_per_ticket(self, desk, hw_request, managers):
        ask(desk, hw_request, one("any", managers[:1]))
        with pytest.raises(ServiceError) as exc:
            ask(desk, hw_request, one("any", managers[1:2]))
        assert exc.value.code == "already_pending"
        assert Approval.objects.count() == 1

    @pytest.mark.parametrize(
        "steps, field",
        [
            ([], "steps"),
            ([{"rule": "most", "users": []}], "steps.0.rule"),
            ([{"rule": "any", "users": []}], "steps.0.users"),
            ([{"rule": "any", "users": [999999]}], "steps.0.users"),
            ([{"rule": "any", "users": ["x"]}], "steps.0.users"),
            ([{"rule": "any", "group": 999999}], "steps.0.group"),
        ],
    )
    def test_bad_steps_are_refused_naming_the_field_and_nothing_is_written(
        self, desk, hw_request, managers, steps, field
    ):
        good = one("any", managers[:1])
        with pytest.raises(ServiceError) as exc:
            ask(desk, hw_request, *([good] + steps if steps else []))
        expected = field.replace("steps.0", "steps.1") if steps else field
        assert exc.value.field == expected
        assert not Approval.objects.exists() and status(hw_request) == "new"
        assert not OutboundMessage.objects.filter(what="approval").exists()

    def test_a_group_with_no_active_members_cannot_approve(self, desk, hw_request):
        desk.network_buc.members.clear()
        with pytest.raises(ServiceError) as exc:
            ask(desk, hw_request, {"rule": "any", "group": desk.network_buc.pk})
        assert exc.value.field == "steps.0.users"

    def test_a_template_for_changes_does_not_fit_a_request(self, desk, hw_request, managers):
        template = services.create_template(
            desk.admin, name="CAB", steps=[one("any", managers)], kinds=["change"]
        )
        with pytest.raises(ServiceError) as exc:
            services.request_approval(desk.operator, hw_request, template=template)
        assert exc.value.field == "template"


class TestAny:
    def test_one_approval_passes_and_the_request_moves_on(self, desk, hw_request, managers):
        approval = ask(desk, hw_request, one("any", managers[:3]))
        approve(managers[1], approval.steps.get(), "Fine by me")
        assert refreshed(approval).state == State.APPROVED
        assert status(hw_request) == "assigned"
        moved = TicketEvent.objects.filter(ticket=hw_request, action="status").last()
        assert moved.actor_kind == ActorKind.SYSTEM and "Boss 2" in moved.reason

    def test_one_rejection_of_three_does_not_reject(self, desk, hw_request, managers):
        approval = ask(desk, hw_request, one("any", managers[:3]))
        step = approval.steps.get()
        reject(managers[0], step)
        assert refreshed(approval).state == State.PENDING
        approve(managers[1], step)
        assert refreshed(approval).state == State.APPROVED

    def test_everyone_rejecting_rejects(self, desk, hw_request, managers):
        approval = ask(desk, hw_request, one("any", managers[:2]))
        step = approval.steps.get()
        reject(managers[0], step)
        reject(managers[1], step, "Not this year")
        assert refreshed(approval).state == State.REJECTED
        assert status(hw_request) == "cancelled"


class TestAll:
    def test_every_approver_must_approve(self, desk, hw_request, managers):
        approval = ask(desk, hw_request, one("all", managers[:3]))
        step = approval.steps.get()
        approve(managers[0], step)
        approve(managers[1], step)
        assert refreshed(approval).state == State.PENDING
        approve(managers[2], step)
        assert refreshed(approval).state == State.APPROVED

    def test_one_rejection_rejects_and_cancels_the_ticket_with_the_comment(
        self, desk, hw_request, managers
    ):
        approval = ask(desk, hw_request, one("all", managers[:3]))
        step = approval.steps.get()
        approve(managers[0], step)
        reject(managers[1], step, "Use the spare laptop in the cupboard")
        assert refreshed(approval).state == State.REJECTED
        assert step.__class__.objects.get(pk=step.pk).state == StepState.REJECTED
        ticket = Ticket.objects.get(pk=hw_request.pk)
        assert ticket.status.key == "cancelled"
        moved = TicketEvent.objects.filter(ticket=ticket, action="status").last()
        assert "Use the spare laptop in the cupboard" in moved.reason
        with pytest.raises(ServiceError) as exc:
            approve(managers[2], step)
        assert exc.value.code == "step_closed" and "rejected" in exc.value.message


class TestMajority:
    def test_two_of_three_pass(self, desk, hw_request, managers):
        approval = ask(desk, hw_request, one("majority", managers[:3]))
        step = approval.steps.get()
        approve(managers[0], step)
        reject(managers[1], step)
        assert refreshed(approval).state == State.PENDING
        approve(managers[2], step)
        assert refreshed(approval).state == State.APPROVED

    def test_two_of_four_is_no_majority_three_is(self, desk, hw_request, managers):
        approval = ask(desk, hw_request, one("majority", managers[:4]))
        step = approval.steps.get()
        approve(managers[0], step)
        approve(managers[1], step)
        assert refreshed(approval).state == State.PENDING
        approve(managers[2], step)
        assert refreshed(approval).state == State.APPROVED

    def test_a_tie_out_of_reach_of_a_majority_rejects_at_once(self, desk, hw_request, managers):
        approval = ask(desk, hw_request, one("majority", managers[:4]))
        step = approval.steps.get()
        approve(managers[0], step)
        reject(managers[1], step)
        assert refreshed(approval).state == State.PENDING
        reject(managers[2], step)  # 1 approval, 2 rejections, 1 left: 3 approvals impossible
        assert refreshed(approval).state == State.REJECTED
        assert status(hw_request) == "cancelled"

    def test_with_five_three_rejections_reject(self, desk, hw_request, managers):
        approval = ask(desk, hw_request, one("majority", managers))
        step = approval.steps.get()
        reject(managers[0], step)
        reject(managers[1], step)
        assert refreshed(approval).state == State.PENDING
        reject(managers[2], step)
        assert refreshed(approval).state == State.REJECTED


class TestSteps:
    def test_the_next_step_starts_when_one_passes_and_its_approvers_are_mailed(
        self, desk, hw_request, managers
    ):
        approval = ask(desk, hw_request, one("any", managers[:1]), one("all", managers[1:3]))
        first, second = approval.steps.order_by("position")
        with pytest.raises(ServiceError) as exc:
            approve(managers[1], second)
        assert exc.value.code == "step_closed"
        mail_before = OutboundMessage.objects.filter(what="approval").count()
        approve(managers[0], first)
        second.refresh_from_db()
        assert second.state == StepState.PENDING
        assert OutboundMessage.objects.filter(what="approval").count() == mail_before + 2
        assert status(hw_request) == "awaiting_approval"
        approve(managers[1], second)
        approve(managers[2], second, "OK")
        assert refreshed(approval).state == State.APPROVED
        assert status(hw_request) == "assigned"

    def test_a_rejected_first_step_cancels_the_later_ones(self, desk, hw_request, managers):
        approval = ask(desk, hw_request, one("any", managers[:1]), one("any", managers[1:2]))
        first, second = approval.steps.order_by("position")
        reject(managers[0], first)
        second.refresh_from_db()
        assert second.state == StepState.CANCELLED
        assert refreshed(approval).state == State.REJECTED

    def test_an_approved_change_is_scheduled(self, desk, change, managers):
        approval = ask(desk, change, one("any", managers[:1]))
        approve(managers[0], approval.steps.get())
        assert status(change) == "scheduled"

    def test_an_assigned_request_in_progress_goes_back_to_work(self, desk, hw_request, managers):
        tickets.take_ticket(desk.operator, hw_request)
        approval = ask(desk, hw_request, one("any", managers[:1]))
        approve(managers[0], approval.steps.get())
        assert status(hw_request) == "in_progress"


class TestGroups:
    def test_a_groups_members_approve(self, desk, hw_request):
        approval = ask(desk, hw_request, {"rule": "all", "group": desk.network_hel.pk})
        step = approval.steps.get()
        assert set(step.voters.all()) == {desk.specialist, desk.lead}
        approve(desk.specialist, step)
        assert refreshed(approval).state == State.PENDING
        approve(desk.lead, step)
        assert refreshed(approval).state == State.APPROVED

    def test_voters_are_fixed_when_asked(self, desk, hw_request, managers):
        approval = ask(desk, hw_request, {"rule": "all", "group": desk.network_hel.pk})
        desk.network_hel.members.add(managers[0])
        step = approval.steps.get()
        with pytest.raises(PermissionDenied):
            approve(managers[0], step)

    def test_named_people_and_a_group_together(self, desk, hw_request, managers):
        approval = ask(
            desk,
            hw_request,
            {"rule": "majority", "users": [managers[0].pk], "group": desk.network_hel.pk},
        )
        assert approval.steps.get().voters.count() == 3


class TestDecisions:
    def test_decisions_are_recorded_with_comments_and_events(self, desk, hw_request, managers):
        approval = ask(desk, hw_request, one("all", managers[:2]))
        step = approval.steps.get()
        approve(managers[0], step, "Budget is there")
        decision = ApprovalDecision.objects.get(approver=managers[0])
        assert decision.comment == "Budget is there" and decision.via == "web"
        event = TicketEvent.objects.get(ticket=hw_request, action="approval_approved")
        assert event.actor == managers[0] and event.reason == "Budget is there"

    def test_only_the_steps_approvers_may_decide(self, desk, hw_request, managers):
        approval = ask(desk, hw_request, one("any", managers[:1]))
        for outsider in (managers[1], desk.operator, desk.admin):
            with pytest.raises(PermissionDenied):
                approve(outsider, approval.steps.get())
        assert not ApprovalDecision.objects.exists()

    def test_each_approver_decides_once(self, desk, hw_request, managers):
        approval = ask(desk, hw_request, one("all", managers[:2]))
        step = approval.steps.get()
        approve(managers[0], step)
        with pytest.raises(ServiceError) as exc:
            reject(managers[0], step)
        assert exc.value.code == "already_decided"
        assert ApprovalDecision.objects.count() == 1

    def test_a_rejection_needs_a_reason(self, desk, hw_request, managers):
        approval = ask(desk, hw_request, one("any", managers[:1]))
        with pytest.raises(ServiceError) as exc:
            services.decide(managers[0], approval.steps.get(), "reject", "  ")
        assert exc.value.field == "comment"
        assert not ApprovalDecision.objects.exists()

    def test_an_unknown_decision_is_refused(self, desk, hw_request, managers):
        approval = ask(desk, hw_request, one("any", managers[:1]))
        with pytest.raises(ServiceError) as exc:
            services.decide(managers[0], approval.steps.get(), "maybe")
        assert exc.value.field == "decision"


class TestCancel:
    def test_an_agent_cancels_and_the_ticket_returns(self, desk, hw_request, managers):
        approval = ask(desk, hw_request, one("any", managers[:1]))
        services.cancel_approval(desk.operator, approval, reason="Asked the wrong people")
        assert refreshed(approval).state == State.CANCELLED
        assert status(hw_request) == "assigned"
        with pytest.raises(ServiceError):
            approve(managers[0], approval.steps.get())

    def test_requesters_may_not_cancel(self, desk, hw_request, managers):
        approval = ask(desk, hw_request, one("any", managers[:1]))
        with pytest.raises(PermissionDenied):
            services.cancel_approval(desk.requester, approval)
        assert refreshed(approval).state == State.PENDING

    def test_cancelling_the_ticket_withdraws_its_approval(self, desk, hw_request, managers):
        approval = ask(desk, hw_request, one("any", managers[:1]))
        tickets.change_status(desk.operator, hw_request, "cancelled", reason="Not needed")
        assert refreshed(approval).state == State.CANCELLED
        assert TicketEvent.objects.filter(ticket=hw_request, action="approval_cancelled").exists()

    def test_a_new_approval_may_follow_a_cancelled_one(self, desk, hw_request, managers):
        approval = ask(desk, hw_request, one("any", managers[:1]))
        services.cancel_approval(desk.operator, approval)
        ask(desk, hw_request, one("any", managers[1:2]))
        assert Approval.objects.filter(state=State.PENDING).count() == 1


class TestTemplates:
    def test_only_staff_manage_templates(self, desk, managers):
        with pytest.raises(PermissionDenied):
            services.create_template(desk.operator, name="X", steps=[one("any", managers)])
        assert not ApprovalTemplate.objects.exists()

    def test_names_are_unique(self, desk, managers):
        services.create_template(desk.admin, name="Hardware", steps=[one("any", managers)])
        with pytest.raises(ServiceError) as exc:
            services.create_template(desk.admin, name="hardware", steps=[one("any", managers)])
        assert exc.value.field == "name"

    def test_incident_templates_are_refused(self, desk, managers):
        with pytest.raises(ServiceError) as exc:
            services.create_template(
                desk.admin, name="X", steps=[one("any", managers)], kinds=["incident"]
            )
        assert exc.value.field == "kinds"


@pytest.mark.django_db(transaction=True)
def test_approvers_get_the_mail_after_commit(desk, hw_request, managers):
    ask(desk, hw_request, one("any", managers[:1]))
    assert [m.to for m in mail.outbox if "Approval" in m.subject or "Hyväksyntä" in m.subject]


class TestNotifications:
    def test_agent_approvers_are_told_in_the_app_and_mailed_once(self, desk, hw_request):
        from tuki.notifications.models import Notification

        approval = ask(desk, hw_request, one("any", [desk.lead, desk.other_agent]))
        told = Notification.objects.filter(kind="approval_requested")
        assert {n.recipient for n in told} == {desk.lead, desk.other_agent}
        step = approval.steps.get()
        assert told.first().url == f"/approvals/steps/{step.pk}/"
        assert OutboundMessage.objects.filter(to_address="lead@tuki.test").count() == 1

    def test_whoever_asked_is_told_the_outcome(self, desk, hw_request, managers):
        from tuki.notifications.models import Notification

        approval = ask(desk, hw_request, one("any", managers[:1]))
        reject(managers[0], approval.steps.get(), "No")
        told = Notification.objects.get(kind="approval_decided")
        assert told.recipient == desk.operator and hw_request.number in told.text
