"""What a macro may change besides posting text: a small catalogue and its validator.

    {"type": "set_status", "status": "in_progress"}
    {"type": "set_field", "field": "priority"|"impact"|"urgency"|"category", "value": 2}
    {"type": "add_tags", "tags": ["vpn", "callback"]}
    {"type": "assign", "group": 3, "agent": 7}          (either or both; ids)

`validate_actions` refuses a bad list when a macro is SAVED, naming the place at fault
("actions.1.value"); `run_action` performs one through the ticket services.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _, gettext_lazy

from tuki.accounts.models import SupportGroup, User
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.tickets import services
from tuki.tickets.models import Category, Priority, PriorityRule, Status, Ticket

ACTION_TYPES: dict[str, Promise] = {
    "set_status": gettext_lazy("Set status"),
    "set_field": gettext_lazy("Set field"),
    "add_tags": gettext_lazy("Add tags"),
    "assign": gettext_lazy("Assign"),
}
FIELDS = ("priority", "impact", "urgency", "category")


def _error(message: str, path: str, code: str = "invalid_action") -> ServiceError:
    return ServiceError(message, field=path, code=code)


def _int(value: Any, path: str, choices: range | None = None) -> int:
    number = parse_id(value) if isinstance(value, int | str) else None
    if number is None:
        raise _error(_("Enter a whole number."), path)
    if choices is not None and number not in choices:
        raise _error(
            _("Choose a value from %(low)d to %(high)d.")
            % {"low": choices.start, "high": choices.stop - 1},
            path,
        )
    return number


def _clean_set_status(action: dict[str, Any], path: str) -> dict[str, Any]:
    key = action.get("status")
    if not isinstance(key, str) or not Status.objects.filter(key=key).exists():
        raise _error(_("Unknown status."), f"{path}.status")
    return {"type": "set_status", "status": key}


def _clean_set_field(action: dict[str, Any], path: str) -> dict[str, Any]:
    field = action.get("field")
    if field not in FIELDS:
        raise _error(_("This field cannot be set by a macro."), f"{path}.field")
    value = action.get("value")
    if field == "category":
        pk = _int(value, f"{path}.value")
        if not Category.objects.filter(pk=pk, is_active=True).exists():
            raise _error(_("Unknown category."), f"{path}.value")
        return {"type": "set_field", "field": field, "value": pk}
    span = range(1, 6) if field == "priority" else range(1, 4)
    return {"type": "set_field", "field": field, "value": _int(value, f"{path}.value", span)}


def _clean_add_tags(action: dict[str, Any], path: str) -> dict[str, Any]:
    tags = action.get("tags")
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) for t in tags):
        raise _error(_("Give a list of tags."), f"{path}.tags")
    clean = sorted({t.strip().lower()[:50] for t in tags if t.strip()})
    if not clean:
        raise _error(_("Give a list of tags."), f"{path}.tags")
    return {"type": "add_tags", "tags": clean}


def _clean_assign(action: dict[str, Any], path: str) -> dict[str, Any]:
    group_id, agent_id = action.get("group"), action.get("agent")
    if group_id in (None, "") and agent_id in (None, ""):
        raise _error(_("Choose a group, an agent or both."), f"{path}.group")
    clean: dict[str, Any] = {"type": "assign", "group": None, "agent": None}
    if group_id not in (None, ""):
        clean["group"] = _int(group_id, f"{path}.group")
        if not SupportGroup.objects.filter(pk=clean["group"], is_active=True).exists():
            raise _error(_("Unknown group."), f"{path}.group")
    if agent_id not in (None, ""):
        clean["agent"] = _int(agent_id, f"{path}.agent")
        agents = User.objects.filter(pk=clean["agent"], is_active=True, is_agent=True)
        if clean["group"] is not None:
            agents = agents.filter(support_groups=clean["group"])
        if not agents.exists():
            raise _error(_("Choose an active agent of the group."), f"{path}.agent")
    return clean


CLEANERS = {
    "set_status": _clean_set_status,
    "set_field": _clean_set_field,
    "add_tags": _clean_add_tags,
    "assign": _clean_assign,
}


def validate_actions(actions: Any) -> list[dict[str, Any]]:
    """A cleaned copy of a macro's actions, or ServiceError naming e.g. "actions.2.value"."""
    if actions in (None, ""):
        return []
    if not isinstance(actions, list):
        raise _error(_("Actions must be a list."), "actions")
    if len(actions) > 20:
        raise _error(_("At most 20 actions."), "actions")
    cleaned = []
    for index, action in enumerate(actions):
        path = f"actions.{index}"
        if not isinstance(action, dict):
            raise _error(_("Each action must be an object."), path)
        kind = action.get("type")
        cleaner = CLEANERS.get(kind) if isinstance(kind, str) else None
        if cleaner is None:
            raise _error(_("Unknown action."), f"{path}.type")
        cleaned.append(cleaner(action, path))
    return cleaned


def _impact_urgency_for(ticket: Ticket, priority: int) -> tuple[int, int]:
    """Priority follows impact × urgency: the matrix cell giving it, nearest the ticket's own."""
    cells = [(i, u) for i in (1, 2, 3) for u in (1, 2, 3)]
    matrix = {(r.impact, r.urgency): r.priority for r in PriorityRule.objects.all()}
    fits = [c for c in cells if matrix.get(c, services.compute_priority(*c)) == priority]
    if not fits:
        raise ServiceError(
            _("No impact and urgency give priority %(priority)s.")
            % {"priority": Priority(priority).label},
            field="actions",
            code="priority_unreachable",
        )
    return min(fits, key=lambda c: abs(c[0] - ticket.impact) + abs(c[1] - ticket.urgency))


def run_action(actor: User | None, ticket: Ticket, action: dict[str, Any]) -> Ticket:
    """One validated action through the ticket services (the caller holds a transaction)."""
    kind = action["type"]
    if kind == "set_status":
        if ticket.status.key == action["status"]:
            return ticket
        return services.change_status(actor, ticket, action["status"])
    if kind == "set_field":
        field, value = action["field"], action["value"]
        if field == "category":
            category = Category.objects.filter(pk=value).first()
            if category is None:
                raise ServiceError(_("Unknown category."), field="actions", code="gone")
            return services.update_ticket(actor, ticket, category=category)
        if field == "priority":
            impact, urgency = _impact_urgency_for(ticket, value)
            return services.update_ticket(actor, ticket, impact=impact, urgency=urgency)
        return services.update_ticket(actor, ticket, **{field: value})
    if kind == "add_tags":
        current = list(ticket.tags.values_list("name", flat=True))
        return services.update_ticket(actor, ticket, tags=[*current, *action["tags"]])
    if kind == "assign":
        group = agent = None
        if action.get("group"):
            group = SupportGroup.objects.filter(pk=action["group"]).first()
            if group is None:
                raise ServiceError(_("Unknown group."), field="actions", code="gone")
        if action.get("agent"):
            agent = User.objects.filter(pk=action["agent"]).first()
            if agent is None:
                raise ServiceError(_("Unknown agent."), field="actions", code="gone")
        if agent is None and (group is None or group.pk == ticket.group_id):
            return ticket  # already with the group: keep whoever works on it
        return services.assign_ticket(actor, ticket, assignee=agent, group=group)
    raise ServiceError(_("Unknown action."), field="actions", code="invalid_action")
