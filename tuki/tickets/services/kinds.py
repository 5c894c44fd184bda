"""Switching a ticket's kind (an incident that turns out to be a change, a request that is
really an incident): its status is mapped onto the new kind's workflow, and its old number
stays an alias (docs/development/architecture.md, "Ticket numbers").

The status is kept when the new kind's workflow has it and its rules (tickets/guards.py)
allow the ticket there as the new kind; otherwise the first status of the same category in
the new workflow that the rules allow, else the new workflow's first open status. A normal
change made from an incident in progress therefore lands in "Assigned", not "In progress":
it has no approval yet.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.lib.errors import ServiceError
from tuki.tickets import guards, reasons
from tuki.tickets.models import (
    KIND_PREFIX,
    EventAction,
    Kind,
    Status,
    StatusCategory,
    StatusTransition,
    Ticket,
    TicketAlias,
)
from tuki.tickets.services.events import _event
from tuki.tickets.services.workflow import _set_status, _statuses

# When the same category has no status in the new workflow: where to look next.
FALLBACK_CATEGORIES = {
    StatusCategory.NEW: (StatusCategory.NEW, StatusCategory.OPEN),
    StatusCategory.OPEN: (StatusCategory.OPEN, StatusCategory.NEW),
    StatusCategory.PENDING: (StatusCategory.PENDING, StatusCategory.OPEN, StatusCategory.NEW),
    StatusCategory.RESOLVED: (StatusCategory.RESOLVED, StatusCategory.CLOSED),
    StatusCategory.CLOSED: (StatusCategory.CLOSED,),
}


def workflow_statuses(kind: str) -> list[Status]:
    """The statuses a kind's workflow uses (every end of its moves), in workflow order."""

    moves = StatusTransition.objects.filter(kind=kind).values_list(
        "from_status__key", "to_status__key"
    )
    keys = {key for move in moves for key in move}
    keys.add("new")  # every ticket starts there
    statuses = [s for key, s in _statuses().items() if key in keys]
    return sorted(statuses, key=lambda s: (s.order, s.pk))


def _candidates(ticket: Ticket, kind: str) -> list[Status]:
    statuses = workflow_statuses(kind)
    current = ticket.status
    found: list[Status] = [s for s in statuses if s.pk == current.pk]
    for category in FALLBACK_CATEGORIES[StatusCategory(current.category)]:
        found += [s for s in statuses if s.category == category and s not in found]
    return found


def switch_kind(ticket: Ticket, actor: User | None, kind: str, *, reason: str = "") -> list[str]:
    """Inside update_ticket's transaction, the ticket locked: the fields it changed."""
    if kind not in Kind.values:
        raise ServiceError(_("Unknown ticket kind."), field="kind", code="invalid_kind")
    old_kind = ticket.kind
    if old_kind == kind:
        return []
    old_status = ticket.status
    TicketAlias.objects.get_or_create(ticket=ticket, prefix=KIND_PREFIX[Kind(old_kind)])
    ticket.kind = kind
    # Recorded first: receivers give the ticket its new kind's details (a change's, a
    # problem's) before the rules below read them.
    _event(
        ticket,
        actor,
        EventAction.FIELD,
        field="kind",
        old=old_kind,
        new=kind,
        reason=reason,
    )
    refusals: list[str] = []
    for status in _candidates(ticket, kind):
        try:
            guards.check_move(ticket, old_status, status, actor)
        except ServiceError as exc:
            refusals.append(exc.message)
            continue
        if status.pk == old_status.pk:
            return ["kind"]
        message = reasons.english(reasons.KIND_SWITCHED, old=old_status.name, new=status.name)
        return ["kind", *_set_status(ticket, actor, status, reason=message)]
    raise ServiceError(
        _("This ticket cannot become a %(kind)s where it is now: %(why)s")
        % {
            "kind": Kind(kind).label.lower(),
            "why": refusals[0] if refusals else _("its workflow has no such status."),
        },
        field="kind",
        code="kind_not_allowed",
    )
