"""Actions: what a rule does to a ticket, each through the public service that owns it.

Called by the engine inside `acting_as(RULE, rule.name, ...)` with actor=None, so every
change lands in the ticket's history as the rule's. A target that vanished since the rule
was saved (a deleted group) raises `ActionFailed`: an error on the RuleRun, never a crash.
Automation sits above the apps whose services its actions call (docs/development/architecture.md,
"Layers"): none of them imports automation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from tuki.accounts.models import SupportGroup, User
from tuki.approvals import services as approvals
from tuki.approvals.models import ApprovalTemplate
from tuki.macros import services as macros
from tuki.macros.models import Macro
from tuki.mail.outbound.planning import plan_notice
from tuki.majors import services as majors
from tuki.notifications import services as notifications
from tuki.tickets import access as ticket_access, fields as custom_fields, services as tickets
from tuki.tickets.models import Category, Ticket
from tuki.webhooks import services as webhooks
from tuki.webhooks.models import Webhook


class ActionFailed(Exception):
    """An action that could not be carried out; the message goes on the RuleRun."""


def render(template: str, ticket: Ticket) -> str:
    """A rule's text with its placeholders filled in (the macros app's renderer: one
    whitelist of placeholders for macros and rules, no template engine)."""
    return macros.render_text(template or "", ticket, None)


def _get(model: Any, pk: Any, what: str) -> Any:
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ActionFailed(_("The %(what)s this rule names no longer exists.") % {"what": what})
    return found


def set_field(ticket: Ticket, action: dict[str, Any]) -> str:
    field, value = action["field"], action["value"]
    if field == "category":
        value = _get(Category, value, _("category"))
    elif field == "title":
        value = render(value, ticket)
    tickets.update_ticket(None, ticket, **{field: value})
    return f"{field} = {value}"


def set_custom_field(ticket: Ticket, action: dict[str, Any]) -> str:
    """Through update_ticket(custom=...): the field's own checks, a "custom.<key>" event.
    A field deleted or deactivated since the rule was saved fails the run (ActionFailed);
    a value the field no longer accepts is refused by the service (ServiceError)."""
    key = action["field"]
    field = custom_fields.field_by_key(key)
    if field is None:
        raise ActionFailed(
            _("The custom field %(key)s no longer exists or is inactive.") % {"key": key}
        )
    tickets.update_ticket(None, ticket, custom={key: action["value"]})
    return f"custom.{key} = {custom_fields.event_display(field, action['value'])}"


def set_status(ticket: Ticket, action: dict[str, Any]) -> str:
    reason = render(action.get("reason", ""), ticket)
    tickets.change_status(None, ticket, action["status"], reason=reason)
    return f"status = {action['status']}"


def assign(ticket: Ticket, action: dict[str, Any]) -> str:
    group = _get(SupportGroup, action["group"], _("group")) if "group" in action else None
    assignee = _get(User, action["assignee"], _("agent")) if "assignee" in action else None
    if assignee is not None:
        tickets.assign_ticket(None, ticket, assignee=assignee, group=group)
        return f"assignee = {assignee}"
    assert group is not None
    if group.pk != ticket.group_id:
        tickets.escalate_ticket(None, ticket, group=group)
    return f"group = {group}"


def add_tags(ticket: Ticket, action: dict[str, Any]) -> str:
    current = {t.name for t in ticket.tags.all()}
    tickets.update_ticket(None, ticket, tags=current | set(action["tags"]))
    return "+" + ", +".join(action["tags"])


def remove_tags(ticket: Ticket, action: dict[str, Any]) -> str:
    current = {t.name for t in ticket.tags.all()}
    tickets.update_ticket(None, ticket, tags=current - set(action["tags"]))
    return "-" + ", -".join(action["tags"])


def add_note(ticket: Ticket, action: dict[str, Any]) -> str:
    tickets.add_comment(None, ticket, render(action["body"], ticket), internal=True)
    return _("internal note")


def public_reply(ticket: Ticket, action: dict[str, Any]) -> str:
    tickets.add_comment(None, ticket, render(action["body"], ticket), internal=False)
    return _("public reply")


def recipients_of(ticket: Ticket, who: str) -> list[User]:
    if who.startswith("user:"):
        return list(User.objects.filter(pk=int(who[5:])))
    if who == "assignee":
        return [ticket.assignee] if ticket.assignee else []
    if who == "owner":
        return [ticket.owner] if ticket.owner else []
    if who == "group":
        return list(ticket.group.members.all())
    if who == "owner_group":
        return list(ticket.owner_group.members.all())
    if who == "group_manager":
        return [ticket.group.manager] if ticket.group.manager else []
    if who == "watchers":
        return list(ticket.watchers.all())
    return []


def notify(ticket: Ticket, action: dict[str, Any]) -> str:
    users: dict[int, User] = {}
    for who in action["to"]:
        users.update({u.pk: u for u in recipients_of(ticket, who)})
    made = notifications.notify(
        list(users.values()), ticket, "rule", render(action["text"], ticket)
    )
    return _("%(n)d notified") % {"n": len(made)}


def send_email(ticket: Ticket, action: dict[str, Any]) -> str:
    to = action["to"]
    user: User | None = None
    if to == "requester":
        user = ticket.requester
    elif to == "assignee":
        user = ticket.assignee
    elif to == "group_manager":
        user = ticket.group.manager
    address = action.get("address", "") if to == "address" else (user.email if user else "")
    if not address:
        raise ActionFailed(_("There is nobody to write to."))
    if to == "address":
        # A fixed address is held to the same rule when it is a person's; one that is nobody's
        # (a supplier's mailbox) never receives a restricted ticket.
        user = User.objects.filter(email__iexact=address, is_active=True).first()
        if user is None and ticket.restricted:
            raise ActionFailed(
                _(
                    "%(address)s is nobody's address at the desk: a restricted ticket is not sent there."
                )
                % {"address": address}
            )
    if user is not None and not (user.is_active and ticket_access.may_see(user, ticket)):
        raise ActionFailed(_("%(name)s may not see this ticket.") % {"name": user})
    language = (user.language if user else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        plan_notice(
            ticket,
            to_address=address,
            subject=render(action["subject"], ticket),
            text=render(action["body"], ticket),
            what="rule",
        )
    return _("email to %(address)s") % {"address": address}


def webhook(ticket: Ticket, action: dict[str, Any]) -> str:
    hook = _get(Webhook, action["webhook"], _("webhook"))
    acting = tickets.current_acting()
    webhooks.queue_delivery(hook, ticket, "rule", payload={"rule": acting.reason if acting else ""})
    return _("webhook %(name)s") % {"name": hook}


def create_ticket(ticket: Ticket, action: dict[str, Any]) -> str:
    group = _get(SupportGroup, action["group"], _("group")) if "group" in action else None
    created = tickets.create_ticket(
        None,
        title=render(action["title"], ticket),
        description=render(action.get("description", ""), ticket),
        requester=ticket.requester,
        kind=action["kind"],
        category=ticket.category,
        group=group,
        impact=ticket.impact,
        urgency=ticket.urgency,
    )
    # actor None is the system; link_tickets accepts it but annotates `actor: User`.
    tickets.link_tickets(None, ticket, created, action.get("link_type", "related"))
    return _("created %(number)s") % {"number": created.number}


def run_macro(ticket: Ticket, action: dict[str, Any]) -> str:
    macro = _get(Macro, action["macro"], _("macro"))
    macros.apply_macro(None, ticket, macro)
    return _("macro %(name)s") % {"name": macro}


def escalate_to_manager(ticket: Ticket, action: dict[str, Any]) -> str:
    done = tickets.escalate_ticket(None, ticket, to_manager=True)
    return _("escalated to %(name)s") % {"name": done.escalated_to}


def request_approval(ticket: Ticket, action: dict[str, Any]) -> str:
    template = _get(ApprovalTemplate, action["template"], _("approval template"))
    approvals.request_approval(None, ticket, template=template)
    return _("approval %(name)s requested") % {"name": template}


def declare_major(ticket: Ticket, action: dict[str, Any]) -> str:
    summary = render(action["summary"], ticket) if action.get("summary") else ""
    majors.declare_major(None, ticket, summary=summary)
    return _("declared %(number)s a major incident") % {"number": ticket.number}


RUNNERS: dict[str, Callable[[Ticket, dict[str, Any]], str]] = {
    "set_field": set_field,
    "set_custom_field": set_custom_field,
    "set_status": set_status,
    "assign": assign,
    "add_tags": add_tags,
    "remove_tags": remove_tags,
    "add_note": add_note,
    "public_reply": public_reply,
    "notify": notify,
    "send_email": send_email,
    "webhook": webhook,
    "create_ticket": create_ticket,
    "run_macro": run_macro,
    "escalate_to_manager": escalate_to_manager,
    "request_approval": request_approval,
    "declare_major": declare_major,
}


def run_action(ticket: Ticket, action: dict[str, Any]) -> str:
    """Carry out one action; a short summary for the RuleRun."""
    return RUNNERS[action["type"]](ticket, action)
