"""The four recipes of docs/automation.md, built through the rule editor as the page posts
them, and shown acting: if the docs and the code part ways, this fails."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tuki.automation.models import Rule, ScheduledRun
from tuki.tickets import services as tickets
from tuki.tickets.models import Category, TicketEvent

NEW = "/automation/new/"


def form(name: str, *, events=("created",), kinds=(), nodes=(), actions=(), **extra) -> dict:
    """The editor's POST: nodes are (path, {field/op/value...} or {"match": ...}), actions
    are dicts of type and params."""
    data: dict[str, Any] = {
        "name": name,
        "is_active": "on",
        "trigger": "event",
        "events": list(events),
        "kinds": list(kinds),
        "match": "all",
        "node": [],
        "action": [],
    }
    for path, node in nodes:
        data["node"].append(path)
        prefix = f"node-{path}-"
        if "match" in node:
            data[prefix + "kind"], data[prefix + "match"] = "group", node["match"]
            continue
        data[prefix + "kind"] = "condition"
        for key, value in node.items():
            data[prefix + key] = value
        data[prefix + "was"] = node["field"]
    for n, action in enumerate(actions):
        data["action"].append(str(n))
        for key, value in action.items():
            data[f"action-{n}-{key}"] = value
    data.update(extra)
    return data


def save(desk, data: dict) -> Rule:
    response = desk.client_for(desk.admin).post(NEW, data)
    assert response.status_code == 302, response.context and (
        response.context["form"].errors,
        [r.errors for r in response.context["rows"]],
        [a.errors for a in response.context["actions"]],
    )
    return Rule.objects.get(name=data["name"])


def test_auto_assign_by_office(desk, committed):
    save(
        desk,
        form(
            "Helsinki VPN",
            kinds=["incident"],
            nodes=[
                ("0", {"field": "requester.location", "op": "eq", "value": str(desk.helsinki.pk)}),
                ("1", {"match": "any"}),
                ("1.0", {"field": "category", "op": "eq", "value": str(desk.vpn.pk)}),
                ("1.1", {"field": "text", "op": "contains", "value": "vpn"}),
            ],
            actions=[
                {"type": "assign", "group": str(desk.network_hel.pk)},
                {"type": "add_tags", "tags": "vpn"},
            ],
        ),
    )
    with committed():
        ticket = tickets.create_ticket(
            desk.operator, title="The VPN client hangs", requester=desk.requester
        )
        elsewhere = tickets.create_ticket(
            desk.operator, title="The VPN client hangs", requester=desk.outsider
        )
    ticket.refresh_from_db()
    elsewhere.refresh_from_db()
    assert ticket.group == desk.network_hel and ticket.owner_group == desk.service_desk
    assert elsewhere.group != desk.network_hel
    event = TicketEvent.objects.get(ticket=ticket, action="escalated")
    assert event.reason == "Helsinki VPN"


def test_remind_and_resolve_pending_tickets_are_two_scheduled_rules(desk, committed, incident):
    common = {
        "trigger": "scheduled",
        "events": [],
        "wait_unit": "days",
        "wait_business": "on",
        "wait_since": "status_changed",
    }
    pending = [("0", {"field": "status", "op": "eq", "value": "pending_customer"})]
    remind = save(
        desk,
        form(
            "Remind after 5 days",
            kinds=["incident", "request"],
            nodes=pending,
            actions=[
                {"type": "public_reply", "body": "Any news about {{ticket.number}}?"},
                {
                    "type": "send_email",
                    "to": "requester",
                    "subject": "Waiting for your answer: {{ticket.title}}",
                    "body": "Any news about {{ticket.number}}?",
                },
            ],
            wait_amount="5",
            **common,
        ),
    )
    resolve = save(
        desk,
        form(
            "Resolve after 10 days",
            kinds=["incident", "request"],
            nodes=pending,
            actions=[
                {"type": "set_status", "status": "resolved", "reason": "No answer in 10 days."}
            ],
            wait_amount="10",
            **common,
        ),
    )
    assert remind.wait == {"minutes": 2400, "business": True, "since": "status_changed"}
    assert resolve.wait["minutes"] == 4800
    with committed():
        tickets.change_status(desk.operator, incident, "pending_customer")
    planned = ScheduledRun.objects.filter(ticket=incident, state="pending")
    assert set(planned.values_list("rule__name", flat=True)) == {remind.name, resolve.name}
    with committed():  # waiting for a supplier is not waiting for the requester
        tickets.change_status(desk.operator, incident, "in_progress")
        tickets.change_status(desk.operator, incident, "pending_supplier")
    assert not ScheduledRun.objects.filter(ticket=incident, state="pending").exists()


def test_escalate_to_the_groups_manager_on_sla_warning(desk, committed, escalated):
    save(
        desk,
        form(
            "Manager on SLA warning",
            events=["sla_warning"],
            nodes=[("0", {"field": "tags", "op": "not_contains", "value": "manager-escalated"})],
            actions=[
                {"type": "escalate_to_manager"},
                {"type": "add_tags", "tags": "manager-escalated"},
            ],
        ),
    )
    for percent in ("75", "80"):  # a second warning does not escalate again
        with committed(), transaction.atomic():
            tickets.record_sla_event(escalated, "sla_warning", field="resolution", new=percent)
    escalated.refresh_from_db()
    assert escalated.escalated_to == desk.lead
    assert TicketEvent.objects.filter(ticket=escalated, action="escalated_manager").count() == 1


def test_approval_for_new_hardware_requests(desk, committed):
    from tuki.approvals.models import Approval
    from tuki.approvals.services import create_template

    hardware = Category.objects.create(name="Hardware")
    new_equipment = Category.objects.create(name="New equipment", parent=hardware)
    template = create_template(
        desk.admin,
        name="Hardware purchase",
        kinds=["request"],
        steps=[{"rule": "any", "users": [desk.lead.pk]}],
    )
    save(
        desk,
        form(
            "Approve new hardware",
            kinds=["request"],
            nodes=[("0", {"field": "category", "op": "eq", "value": str(hardware.pk)})],
            actions=[{"type": "request_approval", "template": str(template.pk)}],
        ),
    )
    with committed():
        ticket = tickets.create_ticket(
            desk.requester,
            title="A second screen",
            kind="request",
            category=new_equipment,
            requester=desk.requester,
        )
    ticket.refresh_from_db()
    assert ticket.status.key == "awaiting_approval"
    assert Approval.objects.get(ticket=ticket).template == template


def test_approval_on_a_rule_for_every_kind_is_refused_as_the_docs_say(desk):
    data = form("Approve everything", actions=[{"type": "request_approval", "template": "1"}])
    response = desk.client_for(desk.admin).post(NEW, data)
    assert response.status_code == 422 and not Rule.objects.exists()
    assert "Limit the rule's kinds" in response.context["actions"][0].errors[0]
