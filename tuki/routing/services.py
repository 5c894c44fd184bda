"""Routing and assignment: the only way in (rules, routing a new ticket, picking an agent).

1. A new ticket still with the service desk that owns it is matched against the routing
   rules in order; the first match escalates the work to its group, naming the rule
   (the desk keeps ownership: docs/development/architecture.md).
2. A ticket arriving in a group without an assignee gets one when the group's mode says
   so: round robin (the member after the last one served) or least open work. Both skip
   inactive agents and agents away today. The group's row is locked while the turn is
   taken, so two workers never give the same turn twice.

Both run after the ticket's change committed (receivers.py → tasks.py) and never break it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tuki.accounts.models import Location, Organisation, SupportGroup, User
from tuki.accounts.services import away_user_ids
from tuki.assist import services as assist
from tuki.assist.models import Kind as AssistKind
from tuki.lib.errors import ServiceError
from tuki.routing.models import AssignmentCursor, RoutingRule
from tuki.sla.models import Service
from tuki.tickets import reasons
from tuki.tickets.models import ActorKind, Category, Kind, Ticket
from tuki.tickets.services import acting_as, assign_ticket, escalate_ticket

log = logging.getLogger(__name__)

RULE_FIELDS = (
    "name",
    "position",
    "is_active",
    "kind",
    "category",
    "service",
    "organisation",
    "location",
    "group",
    "use_assist",
)
MAX_POSITION = 1_000_000


# --- rules ----------------------------------------------------------------------------------


def may_change_rules(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def _check(actor: User) -> None:
    if not may_change_rules(actor):
        raise PermissionDenied(_("Only administrators may change routing rules."))


def _clean_rule(rule: RoutingRule, data: dict[str, Any]) -> dict[str, Any]:
    """Every field checked before anything is written; a refusal names the field."""
    clean: dict[str, Any] = {}
    if "name" in data or rule.pk is None:
        name = (data.get("name") or "").strip()
        if not name:
            raise ServiceError(_("A name is required."), field="name", code="required")
        if len(name) > 120:
            raise ServiceError(_("Keep the name under 120 characters."), field="name")
        if RoutingRule.objects.filter(name__iexact=name).exclude(pk=rule.pk).exists():
            raise ServiceError(
                _("%(name)s exists already.") % {"name": name}, field="name", code="duplicate"
            )
        clean["name"] = name
    if "position" in data and data["position"] is not None:
        position = data["position"]
        if not isinstance(position, int) or isinstance(position, bool):
            raise ServiceError(_("Enter a whole number."), field="position")
        if not 0 <= position <= MAX_POSITION:
            raise ServiceError(
                _("Enter a number from 0 to %(max)d.") % {"max": MAX_POSITION}, field="position"
            )
        clean["position"] = position
    if "is_active" in data:
        clean["is_active"] = bool(data["is_active"])
    if "use_assist" in data:
        clean["use_assist"] = bool(data["use_assist"])
    if "kind" in data:
        kind = data["kind"] or ""
        if kind and kind not in Kind.values:
            raise ServiceError(_("Unknown ticket kind."), field="kind", code="invalid_kind")
        clean["kind"] = kind
    optional = {
        "category": Category,
        "service": Service,
        "organisation": Organisation,
        "location": Location,
    }
    for field, model in optional.items():
        if field in data:
            clean[field] = _instance(model, data[field], field)
    if "group" in data or rule.pk is None:
        group = _instance(SupportGroup, data.get("group"), "group")
        if group is None:
            raise ServiceError(_("Choose the group to route to."), field="group", code="required")
        if not group.is_active:
            raise ServiceError(_("This group is inactive."), field="group", code="inactive_group")
        clean["group"] = group
    return clean


def _instance(model: type[Any], value: Any, field: str) -> Any:
    """A model instance, an id or None; an unknown id is the field's error, not a 500."""
    if value is None or value == "":
        return None
    if isinstance(value, model):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        found = model._default_manager.filter(pk=value).first()
        if found is not None:
            return found
    raise ServiceError(_("Unknown or not allowed."), field=field, code="does_not_exist")


def save_rule(actor: User, rule: RoutingRule, data: dict[str, Any]) -> RoutingRule:
    """Create (rule without pk) or change a routing rule; administrators only."""
    _check(actor)
    clean = _clean_rule(rule, data)
    with transaction.atomic():
        for field, value in clean.items():
            setattr(rule, field, value)
        if rule.pk is None and "position" not in clean:
            last = RoutingRule.objects.order_by("-position").values_list("position", flat=True)
            rule.position = min(MAX_POSITION, (last.first() or 0) + 10)
        rule.updated_at = timezone.now()
        rule.save()
    return rule


def create_rule(actor: User, **data: Any) -> RoutingRule:
    return save_rule(actor, RoutingRule(), data)


def update_rule(actor: User, rule: RoutingRule, **data: Any) -> RoutingRule:
    return save_rule(actor, rule, data)


def delete_rule(actor: User, rule: RoutingRule) -> None:
    _check(actor)
    with transaction.atomic():
        RoutingRule.objects.filter(pk=rule.pk).delete()


def move_rule(actor: User, rule: RoutingRule, offset: int) -> None:
    """Move a rule `offset` places (-1 up, +1 down) and renumber all 10, 20, 30…"""
    _check(actor)
    with transaction.atomic():
        # Locked, so two administrators reordering at once do not interleave numbers.
        rules = list(RoutingRule.objects.select_for_update().order_by("position", "id"))
        ids = [r.pk for r in rules]
        if rule.pk not in ids:
            return
        index = ids.index(rule.pk)
        ids.insert(max(0, min(len(ids) - 1, index + offset)), ids.pop(index))
        by_id = {r.pk: r for r in rules}
        changed = []
        for number, pk in enumerate(ids, start=1):
            if by_id[pk].position != number * 10:
                by_id[pk].position = number * 10
                changed.append(by_id[pk])
        # One save each, not bulk_update: the audit trail (tuki/audit) sees only saves.
        for moved in changed:
            moved.save(update_fields=["position"])


# --- routing --------------------------------------------------------------------------------


def active_rules() -> list[RoutingRule]:
    return list(
        RoutingRule.objects.filter(is_active=True, group__is_active=True)
        .filter(Q(service__isnull=True) | Q(service__is_active=True))
        .select_related("category", "group")
    )


def _service_paths(rules: list[RoutingRule]) -> dict[int, tuple[str, ...]]:
    ids = {r.service_id for r in rules if r.service_id}
    if not ids:
        return {}
    paths: dict[int, tuple[str, ...]] = {}
    rows = Service.categories.through.objects.filter(service_id__in=ids)
    for service_id, path in rows.values_list("service_id", "category__path"):
        paths[service_id] = (*paths.get(service_id, ()), path)
    return paths


def matching_rule(ticket: Ticket, rules: list[RoutingRule] | None = None) -> RoutingRule | None:
    """The first active rule, in order, that the ticket matches (two queries; one when the
    caller read the active rules already)."""
    rules = active_rules() if rules is None else rules
    paths = _service_paths(rules)
    for rule in rules:
        if rule.matches(ticket, paths.get(rule.service_id or 0, ())):
            return rule
    return None


def route(ticket: Ticket) -> SupportGroup | None:
    """The group the routing rules send this ticket's work to, if any."""
    rule = matching_rule(ticket)
    return rule.group if rule else None


def route_new_ticket(ticket_id: int, depth: int = 0, rules: list[RoutingRule] | None = None) -> str:
    """Apply the first matching rule to a new ticket still with its owning desk.

    Returns what happened (for logs and tests). Idempotent: a ticket already moved or
    assigned, by a person or an earlier run, is left alone. Without an active rule (most
    desks) it costs that one query, before any lock or read of the ticket; none when the
    caller read the active rules already (`rules`, a batch of routings).
    """
    rules = active_rules() if rules is None else rules
    if not rules:
        return "no rule"
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        if ticket is None or not ticket.is_active:
            return "gone"
        if ticket.group_id != ticket.owner_group_id or ticket.assignee_id:
            return "not with the desk"
        ticket = Ticket.objects.with_related().get(pk=ticket_id)
        rule = matching_rule(ticket, rules)
        if rule is None:
            return "no rule"
        group, suggested = rule.group, _assist_group(ticket) if rule.use_assist else None
        reason = reasons.english(reasons.ROUTING_RULE, name=rule.name)
        if suggested is not None:
            group = SupportGroup.objects.get(pk=int(suggested.value))
            percent = int(suggested.confidence * 100)
            reason = reasons.english(reasons.ROUTING_ASSIST, name=rule.name, percent=percent)
            assist.log_suggestion(ticket, suggested)  # decided by nobody: it stays pending
        if group.pk == ticket.group_id:
            return "no rule"
        with acting_as(ActorKind.RULE, reason, depth=depth + 1):
            escalate_ticket(None, ticket, group=group, reason=reason)
    return f"routed to {group.pk}"


def _assist_group(ticket: Ticket) -> assist.Suggested | None:
    """Assist's suggested group for the ticket when routing may use it (the admin's threshold
    is set and reached) and the group is active; None otherwise, or on any trouble."""
    try:
        suggested = assist.suggest(ticket, AssistKind.GROUP)
    except assist.TamperedModel:
        log.exception("assist model refused while routing ticket %s", ticket.pk)
        return None
    if suggested is None or not assist.routing_may_use(suggested):
        return None
    if not suggested.value.isdigit():
        return None
    active = SupportGroup.objects.filter(pk=int(suggested.value), is_active=True).exists()
    return suggested if active else None


# --- assignment -----------------------------------------------------------------------------


def _rotation(members: list[User], last_id: int | None) -> list[User]:
    """Members in id order, starting after the one who had the last turn."""
    if last_id is None:
        return members
    after = [m for m in members if m.pk > last_id]
    return after + [m for m in members if m.pk <= last_id]


def candidates(group: SupportGroup, now: datetime | None = None) -> list[User]:
    """Members who can take work now: active agents not away today (their time zone)."""
    members = list(
        group.members.filter(is_active=True)
        .filter(Q(is_agent=True) | Q(is_superuser=True))
        .order_by("pk")
    )
    away = away_user_ids(members, now)
    return [m for m in members if m.pk not in away]


def pick_agent(
    group: SupportGroup, ticket: Ticket | None = None, *, now: datetime | None = None
) -> User | None:
    """The member who gets the next ticket by the group's mode, and the turn is taken.

    Locks the group's row until the caller's transaction ends: call it in the transaction
    that assigns the ticket, so the turn and the assignment commit (or roll back) together.
    """
    with transaction.atomic():
        group = SupportGroup.objects.select_for_update().get(pk=group.pk)
        if group.assignment == SupportGroup.Assignment.MANUAL:
            return None
        people = candidates(group, now)
        if ticket is not None and len(people) > 1:
            # An agent filing a ticket for themselves should not be handed it back.
            people = [p for p in people if p.pk != ticket.requester_id] or people
        if not people:
            return None
        cursor = AssignmentCursor.objects.filter(group=group).first()
        order = _rotation(people, cursor.last_agent_id if cursor else None)
        if group.assignment == SupportGroup.Assignment.LEAST_WORK:
            load = dict(
                Ticket.objects.active()
                .filter(assignee__in=[p.pk for p in people])
                .values_list("assignee")
                .annotate(n=Count("id"))
            )
            # A stable sort: among equally loaded members, turns still rotate.
            order.sort(key=lambda p: load.get(p.pk, 0))
        chosen = order[0]
        AssignmentCursor.objects.update_or_create(
            group=group, defaults={"last_agent": chosen, "updated_at": timezone.now()}
        )
        return chosen


def auto_assign(ticket_id: int, depth: int = 0) -> str:
    """Give an unassigned ticket to a member of its group by the group's mode.

    Idempotent: re-checks under the locks that the ticket is still unassigned in the
    same group, so a repeated or late task changes nothing.
    """
    ticket = Ticket.objects.select_related("group").filter(pk=ticket_id).first()
    if ticket is None or ticket.assignee_id or not ticket.is_active:
        return "nothing to do"
    mode = ticket.group.assignment
    if mode == SupportGroup.Assignment.MANUAL:
        return "manual"
    with transaction.atomic():
        # Group first, then ticket: the one lock order used here, so no deadlock.
        SupportGroup.objects.select_for_update().filter(pk=ticket.group_id).first()
        locked = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        if locked is None or locked.assignee_id or locked.group_id != ticket.group_id:
            return "nothing to do"
        agent = pick_agent(ticket.group, locked)
        if agent is None:
            return "nobody available"
        with translation.override("en"):  # stored in English, shown translated
            mode_label = str(SupportGroup.Assignment(mode).label)
        reason = reasons.english(reasons.AUTO_ASSIGNED, mode=mode_label)
        with acting_as(ActorKind.SYSTEM, reason, depth=depth + 1):
            assign_ticket(None, locked, assignee=agent, reason=reason)
    return f"assigned to {agent.pk}"
