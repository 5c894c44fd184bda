"""The configured workflow: statuses and the moves between them, the priority matrix, the
service desk groups; and moving a ticket's status with the timestamps that follow.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts.models import SupportGroup, User
from tuki.configcache import cache as configcache
from tuki.lib.errors import ServiceError
from tuki.tickets import guards
from tuki.tickets.models import (
    ActorKind,
    EventAction,
    Priority,
    PriorityRule,
    Status,
    StatusCategory,
    StatusTransition,
    Ticket,
)
from tuki.tickets.services.events import _event
from tuki.tickets.transition_rules import TRANSITION_ROLES, required_field_label


def _statuses() -> dict[str, Status]:
    return configcache.cached("tickets.statuses", lambda: {s.key: s for s in Status.objects.all()})


def status_by_key(key: str) -> Status:
    status = _statuses().get(key)
    if status is None:
        raise ServiceError(_("Unknown status."), field="status", code="unknown_status")
    return configcache.fresh(status)


def _priority_matrix() -> dict[tuple[int, int], int]:
    def load() -> dict[tuple[int, int], int]:
        return {(r.impact, r.urgency): r.priority for r in PriorityRule.objects.all()}

    return configcache.cached("tickets.priority_matrix", load)


def compute_priority(impact: int, urgency: int) -> int:
    priority = _priority_matrix().get((impact, urgency))
    if priority is not None:
        return priority
    # No matrix cell configured: the ITIL default, impact + urgency - 1 clamped to 1..5.
    return max(Priority.CRITICAL, min(Priority.PLANNING, impact + urgency - 1))


def allowed_statuses(ticket: Ticket) -> list[Status]:
    """Statuses this ticket may move to from where it is, in workflow order."""
    return [
        t.to_status
        for t in StatusTransition.objects.filter(
            kind=ticket.kind, from_status=ticket.status_id, to_status__is_retired=False
        )
        .select_related("to_status")
        .order_by("to_status__order")
    ]


def _allowed(ticket: Ticket, target: Status) -> bool:
    return StatusTransition.objects.filter(
        kind=ticket.kind,
        from_status=ticket.status_id,
        to_status=target,
        to_status__is_retired=False,
    ).exists()


def _is_filled(ticket: Ticket, field: str) -> bool:
    if field.startswith("custom."):
        value = (ticket.custom or {}).get(field.removeprefix("custom."))
        return value not in (None, "", [])
    if field in ("category", "assignee"):
        return getattr(ticket, f"{field}_id") is not None
    return bool(getattr(ticket, field, ""))


def _may_move(ticket: Ticket, actor: User | None, roles: Collection[str], actor_kind: str) -> bool:
    if not roles:
        return True
    if actor_kind != ActorKind.USER or actor is None:
        return "automation" in roles
    if actor.is_superuser:
        return True
    group = ticket.group
    return (
        ("agent" in roles and actor.is_agent)
        or ("requester" in roles and ticket.requester_id == actor.pk)
        or ("manager" in roles and group is not None and group.manager_id == actor.pk)
        or ("group" in roles and group is not None and group.members.filter(pk=actor.pk).exists())
    )


def check_transition_rules(
    ticket: Ticket,
    actor: User | None,
    old: Status,
    target: Status,
    *,
    actor_kind: str = ActorKind.USER,
    filling: Collection[str] = (),
) -> None:
    """Who may make the move and the fields it needs (docs/workflows.md); one query."""
    transition = StatusTransition.objects.filter(
        kind=ticket.kind, from_status=old.pk, to_status=target.pk
    ).first()
    if transition is None:
        return
    if not _may_move(ticket, actor, transition.roles or [], actor_kind):
        raise ServiceError(
            _("Only %(roles)s may move a ticket from %(old)s to %(new)s.")
            % {
                "roles": ", ".join(str(TRANSITION_ROLES.get(r, r)) for r in transition.roles),
                "old": old.label,
                "new": target.label,
            },
            field="status",
            code="transition_role",
        )
    missing = [
        f
        for f in transition.required_fields or []
        if f not in filling and not _is_filled(ticket, f)
    ]
    if missing:
        raise ServiceError(
            _("Fill in %(fields)s before moving to %(new)s.")
            % {"fields": ", ".join(required_field_label(f) for f in missing), "new": target.label},
            field="status",
            code="transition_fields",
        )


def _first_allowed(ticket: Ticket, category: str, prefer: Sequence[str] = ()) -> Status | None:
    candidates = [s for s in allowed_statuses(ticket) if s.category == category]
    for key in prefer:
        for status in candidates:
            if status.key == key:
                return status
    return candidates[0] if candidates else None


def _set_status(
    ticket: Ticket,
    actor: User | None,
    target: Status,
    *,
    reason: str = "",
    actor_kind: str = ActorKind.USER,
    filling: Collection[str] = (),
) -> list[str]:
    """Move the status and keep the timestamps and counters that follow from it. `filling`:
    required fields the calling service sets in the same change (a resolution)."""
    old = ticket.status
    if old.pk == target.pk:
        return []
    check_transition_rules(ticket, actor, old, target, actor_kind=actor_kind, filling=filling)
    guards.check_move(ticket, old, target, actor)
    now = timezone.now()
    changed = ["status"]
    if target.category == StatusCategory.RESOLVED:
        ticket.resolved_at = now
        changed.append("resolved_at")
    elif target.category == StatusCategory.CLOSED:
        ticket.closed_at = now
        changed.append("closed_at")
        if not ticket.resolved_at:
            ticket.resolved_at = now
            changed.append("resolved_at")
    if old.category in (StatusCategory.RESOLVED, StatusCategory.CLOSED) and target.is_active:
        ticket.reopen_count += 1
        ticket.resolved_at = None
        ticket.closed_at = None
        changed += ["reopen_count", "resolved_at", "closed_at"]
    ticket.status = target
    _event(
        ticket,
        actor,
        EventAction.STATUS,
        field="status",
        old=old,
        new=target,
        reason=reason,
        actor_kind=actor_kind,
    )
    return changed


def _desks() -> list[tuple[SupportGroup, frozenset[int]]]:
    """The service desk groups in their usual order (tier, name), each with its members."""

    def load() -> list[tuple[SupportGroup, frozenset[int]]]:
        groups = SupportGroup.objects.filter(tier=SupportGroup.Tier.SERVICE_DESK)
        members: dict[int, set[int]] = {}
        through = SupportGroup.members.through
        for group_id, user_id in through.objects.filter(supportgroup__in=groups).values_list(
            "supportgroup_id", "user_id"
        ):
            members.setdefault(group_id, set()).add(user_id)
        return [(g, frozenset(members.get(g.pk, ()))) for g in groups]

    return configcache.cached("tickets.service_desks", load)


def default_service_desk() -> SupportGroup:
    for group, _members in _desks():
        if group.is_active:
            return configcache.fresh(group)
    raise ServiceError(
        _("No service desk group is configured."), field="group", code="no_service_desk"
    )


def _desk_of(actor: User | None) -> SupportGroup:
    if actor is not None and (actor.is_agent or actor.is_superuser):
        for group, members in _desks():
            if actor.pk in members:
                return configcache.fresh(group)
    return default_service_desk()
