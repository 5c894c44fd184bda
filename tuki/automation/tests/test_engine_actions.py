"""Each action a rule can take, through the owning service, in the rule's name."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.automation.models import RuleRun
from tuki.automation.tests.test_engine import make_rule, new_ticket, tags_of
from tuki.conftest import Desk
from tuki.tickets.models import ActorKind, Ticket, TicketEvent, TicketLink

pytestmark = pytest.mark.django_db


def on_new(desk: Desk, committed: Any, *actions: dict[str, Any], **ticket: Any) -> Ticket:
    """A rule with these actions on created, then a new ticket; the rule must have acted."""
    rule = make_rule(desk, name="Act", actions=list(actions), **ticket.pop("rule", {}))
    made = new_ticket(desk, committed, **ticket)
    run = RuleRun.objects.get(rule=rule)
    assert run.ok, run.error
    return Ticket.objects.with_related().get(pk=made.pk)


def rule_events(ticket: Ticket) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket, actor_kind=ActorKind.RULE).order_by("id"))


def test_set_field(desk: Desk, committed: Any) -> None:
    ticket = on_new(
        desk,
        committed,
        {"type": "set_field", "field": "impact", "value": 1},
        {"type": "set_field", "field": "urgency", "value": 1},
        {"type": "set_field", "field": "category", "value": desk.vpn.pk},
        {"type": "set_field", "field": "restricted", "value": True},
        {
            "type": "set_field",
            "field": "title",
            "value": "[{{organisation.name}}] {{ticket.title}}",
        },
    )
    assert (ticket.impact, ticket.urgency, ticket.priority) == (1, 1, 1)
    assert ticket.category == desk.vpn and ticket.restricted
    assert ticket.title == "[Acme Oy] Printer on fire"
    assert all(e.reason == "Act" for e in rule_events(ticket))


def test_set_status(desk: Desk, committed: Any) -> None:
    ticket = on_new(
        desk,
        committed,
        {"type": "set_status", "status": "pending_customer", "reason": "Ask"},
        rule={"kinds": ["incident", "request"]},  # problems and changes never wait on customers
    )
    assert ticket.status.key == "pending_customer"
    event = TicketEvent.objects.get(ticket=ticket, action="status")
    assert event.actor_kind == ActorKind.RULE and event.reason == "Ask"


def test_set_status_resolved_resolves(desk: Desk, committed: Any) -> None:
    ticket = on_new(desk, committed, {"type": "set_status", "status": "resolved"})
    assert ticket.status.key == "resolved" and ticket.resolution_code == "solved"


def test_assign_group_and_agent(desk: Desk, committed: Any) -> None:
    ticket = on_new(desk, committed, {"type": "assign", "group": desk.network_hel.pk})
    assert ticket.group == desk.network_hel and ticket.assignee is None
    assert ticket.status.key == "assigned"
    RuleRun.objects.all().delete()
    from tuki.automation.models import Rule

    Rule.objects.all().delete()
    ticket = on_new(
        desk,
        committed,
        {"type": "assign", "group": desk.network_hel.pk, "assignee": desk.specialist.pk},
    )
    assert ticket.group == desk.network_hel and ticket.assignee == desk.specialist
    assert ticket.owner_group == desk.service_desk  # the desk keeps ownership


def test_add_and_remove_tags(desk: Desk, committed: Any) -> None:
    ticket = on_new(
        desk,
        committed,
        {"type": "add_tags", "tags": ["a", "b"]},
        {"type": "remove_tags", "tags": ["old", "a"]},
        tags=["old", "keep"],
    )
    assert tags_of(ticket) == {"b", "keep"}


def test_internal_note_and_public_reply_from_templates(desk: Desk, committed: Any) -> None:
    ticket = on_new(
        desk,
        committed,
        {"type": "add_note", "body": "Check {{ticket.number}}"},
        {
            "type": "public_reply",
            "body": "Hello {{requester.first_name}}, we got {{ticket.number}}.",
        },
    )
    note, reply = ticket.comments.order_by("id")
    assert note.is_internal and note.body == f"Check {ticket.number}"
    assert not reply.is_internal and reply.body == f"Hello Maija, we got {ticket.number}."
    assert [e.action for e in rule_events(ticket)] == ["note", "reply"]
    # The desk answered: the requester gets the reply by mail, as from an agent.
    from tuki.mail.models import OutboundMessage

    assert OutboundMessage.objects.filter(ticket=ticket, what="reply", comment=reply).exists()
    assert not OutboundMessage.objects.filter(ticket=ticket, comment=note).exists()
    # The timeline names the rule as the author of both.
    page = desk.client_for(desk.operator).get(f"/desk/tickets/{ticket.number}/")
    assert page.content.decode().count("Rule: Act") == 2


def test_notify(desk: Desk, committed: Any) -> None:
    from tuki.notifications.models import Notification

    ticket = on_new(
        desk,
        committed,
        {
            "type": "notify",
            "to": ["group_manager", f"user:{desk.operator.pk}"],
            "text": "Look at {{ticket.number}}",
        },
        group=desk.network_hel,
    )
    got = Notification.objects.filter(ticket=ticket, kind="rule")
    assert {n.recipient for n in got} == {desk.lead, desk.operator}
    assert {n.text for n in got} == {f"Look at {ticket.number}"}


def test_send_email(desk: Desk, committed: Any) -> None:
    from tuki.mail.models import OutboundMessage

    ticket = on_new(
        desk,
        committed,
        {
            "type": "send_email",
            "to": "requester",
            "subject": "About {{ticket.number}}",
            "body": "Hi",
        },
        {
            "type": "send_email",
            "to": "address",
            "address": "boss@acme.fi",
            "subject": "FYI",
            "body": "{{ticket.title}}",
        },
    )
    sent = OutboundMessage.objects.filter(ticket=ticket).order_by("id")
    assert [m.to_address for m in sent][-2:] == ["maija@acme.fi", "boss@acme.fi"]
    assert RuleRun.objects.get().changes[-1] == "email to boss@acme.fi"


def test_send_email_to_someone_who_cannot_see_the_ticket_fails(desk: Desk, committed: Any) -> None:
    from tuki.mail.models import OutboundMessage

    desk.network_hel.manager = desk.other_agent  # not a member: a restricted ticket is hidden
    desk.network_hel.save()
    action = {
        "type": "send_email",
        "to": "group_manager",
        "subject": "s",
        "body": "{{ticket.title}}",
    }
    make_rule(desk, name="Tell the manager", actions=[action])
    ticket = new_ticket(desk, committed, group=desk.network_hel, restricted=True)
    run = RuleRun.objects.get()
    assert not run.ok and "may not see" in run.error
    assert not OutboundMessage.objects.filter(ticket=ticket, to_address=desk.other_agent.email)


def test_send_email_to_an_outside_address_never_carries_a_restricted_ticket(
    desk: Desk, committed: Any
) -> None:
    from tuki.mail.models import OutboundMessage

    action = {
        "type": "send_email",
        "to": "address",
        "address": "collector@outside.example",
        "subject": "s",
        "body": "{{ticket.title}}",
    }
    make_rule(desk, name="Forward", actions=[action])
    ticket = new_ticket(desk, committed, group=desk.network_hel, restricted=True)
    run = RuleRun.objects.get()
    assert not run.ok and "restricted" in run.error
    assert not OutboundMessage.objects.filter(ticket=ticket, to_address="collector@outside.example")


def test_send_email_to_a_colleagues_address_who_cannot_see_it_fails(
    desk: Desk, committed: Any
) -> None:
    action = {
        "type": "send_email",
        "to": "address",
        "address": desk.other_agent.email.upper(),
        "subject": "s",
        "body": "{{ticket.title}}",
    }
    make_rule(desk, name="Forward", actions=[action])
    new_ticket(desk, committed, group=desk.network_hel, restricted=True)
    run = RuleRun.objects.get()
    assert not run.ok and "may not see" in run.error


def test_webhook(desk: Desk, committed: Any) -> None:
    from tuki.webhooks.models import WebhookDelivery
    from tuki.webhooks.services import create_webhook

    hook = create_webhook(
        desk.admin, name="Chat", url="https://chat.example.invalid/hook", events=[]
    )
    ticket = on_new(desk, committed, {"type": "webhook", "webhook": hook.pk})
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert delivery.ticket == ticket and delivery.payload["data"] == {"rule": "Act"}


def test_create_a_linked_ticket(desk: Desk, committed: Any) -> None:
    ticket = on_new(
        desk,
        committed,
        {
            "type": "create_ticket",
            "kind": "problem",
            "title": "Root cause of {{ticket.number}}",
            "group": desk.network_hel.pk,
            "link_type": "caused_by",
        },
    )
    link = TicketLink.objects.get(source=ticket)
    child = link.target
    assert link.type == "caused_by"
    assert child.kind == "problem" and child.title == f"Root cause of {ticket.number}"
    assert child.group == desk.network_hel and child.requester == desk.requester
    created = TicketEvent.objects.get(ticket=child, action="created")
    assert created.actor_kind == ActorKind.RULE and created.reason == "Act"


def test_run_macro(desk: Desk, committed: Any) -> None:
    from tuki.macros.services import create_macro

    macro = create_macro(
        desk.admin,
        name="Ack",
        scope="global",
        body="We are on it, {{requester.first_name}}.",
        internal=False,
        actions=[{"type": "add_tags", "tags": ["acked"]}],
    )
    ticket = on_new(desk, committed, {"type": "run_macro", "macro": macro.pk})
    assert ticket.comments.get().body == "We are on it, Maija."
    assert "acked" in tags_of(ticket)


def test_escalate_to_the_groups_manager(desk: Desk, committed: Any) -> None:
    ticket = on_new(desk, committed, {"type": "escalate_to_manager"}, group=desk.network_hel)
    assert ticket.escalated_to == desk.lead
    assert desk.lead in ticket.watchers.all()


def test_escalating_without_a_manager_is_an_error_on_the_run(desk: Desk, committed: Any) -> None:
    rule = make_rule(desk, name="Up", actions=[{"type": "escalate_to_manager"}])
    new_ticket(desk, committed, group=desk.apps)
    run = rule.runs.get()
    assert not run.ok and "manager" in run.error


def test_request_approval(desk: Desk, committed: Any) -> None:
    from tuki.approvals.models import Approval
    from tuki.approvals.services import create_template

    template = create_template(
        desk.admin,
        name="Hardware",
        kinds=["request"],
        steps=[{"rule": "any", "users": [desk.lead.pk]}],
    )
    ticket = on_new(
        desk,
        committed,
        {"type": "request_approval", "template": template.pk},
        kind="request",
        rule={"kinds": ["request"]},
    )
    assert ticket.status.key == "awaiting_approval"
    approval = Approval.objects.get(ticket=ticket)
    assert approval.template == template and approval.requested_by is None
