"""The demo desk's working tools: automation rules, macros, an approval template, a webhook.

Created after the stories (like routing.py: today's settings, not history's) through each
app's services, so they are validated as an administrator's would be. A newcomer opening
Administration then finds realistic examples to read and copy instead of empty lists.

The webhook points at a local port where nothing listens and is switched off, as is the rule
that calls it: the demo never sends anything anywhere (tuki/webhooks/services.py retries and
fails a delivery on its own, but an inactive webhook is never even queued).
"""

from __future__ import annotations

from typing import Any

from tuki.approvals import services as approvals
from tuki.approvals.models import ApprovalTemplate
from tuki.automation import services as automation
from tuki.automation.models import Rule
from tuki.demo.cast import CLIENT_MANAGERS, ORGANISATIONS, Cast, email_for
from tuki.macros import services as macros
from tuki.macros.models import Scope
from tuki.webhooks import services as webhooks

# Business minutes in one of the demo offices' days (tuki/demo/sla.py: 08-17 and 09-18).
OFFICE_DAY = 9 * 60
# A name under .invalid never resolves (RFC 6761): the example reaches nothing, and a private
# address would be refused by the outbound guard (tuki/lib/net.py).
WEBHOOK_URL = "https://chat-bridge.example.invalid/tuki-demo"


def seed(cast: Cast) -> dict[str, int]:
    """Rules, macros, the access-request approval and a webhook (idempotent: once only)."""
    if Rule.objects.exists():
        return {"rules": 0, "macros": 0, "approval_templates": 0, "webhooks": 0}
    template = _approval_template(cast)
    hook = webhooks.create_webhook(
        cast.admin,
        name="Team chat bridge (example, switched off)",
        url=WEBHOOK_URL,
        events=[],  # called by a rule only
        is_active=False,
    )
    made = _macros(cast)
    rules = _rules(cast, template.pk, hook.pk)
    return {"rules": len(rules), "macros": made, "approval_templates": 1, "webhooks": 1}


def _approval_template(cast: Cast) -> ApprovalTemplate:
    workplace = cast.groups["Workplace Bucharest"]
    return approvals.create_template(
        cast.admin,
        name="Access to a system",
        kinds=["request"],
        description="The system's owner approves, then the service desk manager.",
        steps=[
            {"rule": "any", "users": [workplace.manager.pk] if workplace.manager else []},
            {"rule": "any", "users": [cast.desk.manager.pk] if cast.desk.manager else []},
        ],
    )


def _macros(cast: Cast) -> int:
    """Shared with everyone, with a group (by its manager) and personal ones."""
    people, groups = cast.people, cast.groups
    shared = [
        (cast.admin, Scope.GLOBAL, None, "Ask for a screenshot", False,
         "Hello {{requester.first_name}},\n\nto get {{ticket.number}} moving, could you send "
         "us a screenshot of the error message and the time it appeared?\n\n"
         "Best regards,\n{{agent.name}}",
         [{"type": "set_status", "status": "pending_customer"}]),
        (cast.desk.manager, Scope.GROUP, cast.desk, "Password reset done", False,
         "Hello {{requester.first_name}},\n\nyour password has been reset; the temporary one "
         "is on its way to your phone by SMS. Please change it when you first sign in.\n\n"
         "{{agent.name}}, Service Desk",
         [{"type": "add_tags", "tags": ["password"]}]),
        (groups["Network Helsinki"].manager, Scope.GROUP, groups["Network Helsinki"],
         "VPN: send us the client log", False,
         "Hello {{requester.first_name}},\n\nplease open the VPN client, choose Help › Export "
         "log and attach the file to {{ticket.number}} (reply to this message).\n\n"
         "{{agent.name}}, {{ticket.group}}",
         [{"type": "add_tags", "tags": ["vpn"]},
          {"type": "set_status", "status": "pending_customer"}]),
        (groups["Workplace Bucharest"].manager, Scope.GROUP, groups["Workplace Bucharest"],
         "Laptop swap booked", False,
         "Hello {{requester.first_name}},\n\na replacement laptop is ready for you. Bring the "
         "old one and its charger to the IT desk; the swap takes about 30 minutes.\n\n"
         "{{agent.name}}",
         [{"type": "add_tags", "tags": ["hardware"]}]),
        (people["Aino Virtanen"], Scope.PERSONAL, None, "Called, no answer", True,
         "Called {{requester.name}} about {{ticket.number}}: no answer, left a voicemail.",
         []),
        (people["Sanna Korhonen"], Scope.PERSONAL, None, "Escalated to the vendor", True,
         "Opened a case with the vendor for {{ticket.number}}; waiting for their answer.",
         [{"type": "set_status", "status": "pending_supplier"}]),
    ]  # fmt: skip
    for actor, scope, group, name, internal, body, actions in shared:
        assert actor is not None, name
        macros.create_macro(
            actor,
            name=name,
            scope=scope,
            group=group,
            internal=internal,
            body=body,
            actions=actions,
        )
    return len(shared)


def _rules(cast: Cast, template_id: int, webhook_id: int) -> list[Rule]:
    managers = [
        {"field": "requester.email", "op": "eq", "value": email_for(name, ORGANISATIONS[i][1])}
        for name, i in CLIENT_MANAGERS.items()
    ]
    support = ["incident", "request"]
    erp = cast.categories[("Applications", "ERP")]
    access = cast.categories[("Accounts", "Access request")]
    definitions: list[dict[str, Any]] = [
        {
            "name": "Client managers first",
            "description": "The client managers' own tickets get high urgency and a tag.",
            "position": 10,
            "events": ["created"],
            "kinds": support,
            "conditions": {"match": "any", "items": managers},
            "actions": [
                {"type": "set_field", "field": "urgency", "value": 1},
                {"type": "add_tags", "tags": ["vip"]},
            ],
        },
        {
            "name": "ERP work to the partner",
            "description": "ERP tickets, by category or by the words in the title.",
            "position": 20,
            "events": ["created"],
            "kinds": support,
            "conditions": {
                "match": "any",
                "items": [
                    {"field": "category", "op": "eq", "value": erp.pk},
                    {"field": "title", "op": "contains", "value": "ERP"},
                ],
            },
            "actions": [
                {"type": "assign", "group": cast.groups["Nordic ERP Partner"].pk},
                {"type": "add_tags", "tags": ["erp"]},
            ],
        },
        {
            "name": "Access requests need approval",
            "position": 30,
            "events": ["created"],
            "kinds": ["request"],
            "conditions": {
                "match": "all",
                "items": [{"field": "category", "op": "eq", "value": access.pk}],
            },
            "actions": [{"type": "request_approval", "template": template_id}],
        },
        {
            "name": "Acknowledge after office hours",
            "description": "Tickets from the portal or by email when nobody is at the desk.",
            "position": 40,
            "events": ["created"],
            "kinds": support,
            "conditions": {
                "match": "all",
                "items": [
                    {"field": "channel", "op": "in", "value": ["web", "email"]},
                    {"field": "business_hours", "op": "eq", "value": False},
                ],
            },
            "actions": [
                {
                    "type": "public_reply",
                    "body": "Hello {{requester.first_name}},\n\nthank you: we have registered "
                    "{{ticket.number}} with priority {{ticket.priority}}. The desk is closed "
                    "now; we will pick it up first thing in the morning.",
                }
            ],
        },
        {
            "name": "Remind after three office days",
            "description": "A ticket waiting for the customer's answer gets a friendly nudge.",
            "position": 50,
            "trigger": "scheduled",
            "kinds": support,
            "conditions": {
                "match": "all",
                "items": [{"field": "status", "op": "eq", "value": "pending_customer"}],
            },
            "wait": {"minutes": 3 * OFFICE_DAY, "business": True, "since": "status_changed"},
            "actions": [
                {
                    "type": "public_reply",
                    "body": "Hello {{requester.first_name}},\n\nwe are still waiting for your "
                    "answer on {{ticket.number}}. Reply to this message and we will carry on.",
                }
            ],
        },
        {
            "name": "Tell the team chat about breaches (example)",
            "description": "Switched off, like its webhook: point the webhook at a real "
            "endpoint first.",
            "is_active": False,
            "position": 60,
            "events": ["sla_breach"],
            "kinds": support,
            "actions": [{"type": "webhook", "webhook": webhook_id}],
        },
    ]
    return [automation.create_rule(cast.admin, **rule) for rule in definitions]
