"""Status changes along the workflow: resolving, reopening, closing."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.lib.errors import ServiceError
from tuki.tickets import reasons
from tuki.tickets.models import (
    Comment,
    EventAction,
    ResolutionCode,
    Status,
    StatusCategory,
    StatusTransition,
    Ticket,
)
from tuki.tickets.services.common import (
    _check_version,
    _lock,
    _require_agent,
    _touch,
    _writing,
)
from tuki.tickets.services.events import _event
from tuki.tickets.services.workflow import _allowed, _first_allowed, _set_status, status_by_key


def change_status(
    actor: User | None,
    ticket: Ticket,
    status: Status | str,
    *,
    reason: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Move along the kind's workflow. Resolving needs `resolve_ticket` (it asks for a code)."""
    _require_agent(actor)
    target = status_by_key(status) if isinstance(status, str) else status
    if target.category == StatusCategory.RESOLVED:
        return resolve_ticket(
            actor,
            ticket,
            code=ResolutionCode.SOLVED,
            resolution=reason,
            expected_version=expected_version,
        )
    with _writing():
        ticket = _lock(actor, ticket)
        _check_version(ticket, expected_version)
        if not _allowed(ticket, target):
            raise ServiceError(
                _("A %(kind)s cannot go from %(old)s to %(new)s.")
                % {
                    "kind": ticket.get_kind_display().lower(),
                    "old": ticket.status.label,
                    "new": target.label,
                },
                field="status",
                code="transition_not_allowed",
            )
        fields = _set_status(ticket, actor, target, reason=reason)
        _touch(ticket, *fields)
    return ticket


def resolve_ticket(
    actor: User | None,
    ticket: Ticket,
    *,
    code: str,
    resolution: str = "",
    notify: bool = True,
    expected_version: int | None = None,
) -> Ticket:
    """Record the resolution; the owning desk then confirms with the requester."""
    _require_agent(actor)
    if code not in ResolutionCode.values:
        raise ServiceError(_("Choose a resolution code."), field="code", code="required")
    with _writing():
        ticket = _lock(actor, ticket)
        _check_version(ticket, expected_version)
        target = _first_allowed(ticket, StatusCategory.RESOLVED)
        if target is None:
            raise ServiceError(
                _("A %(kind)s in %(status)s cannot be resolved.")
                % {"kind": ticket.get_kind_display().lower(), "status": ticket.status.label},
                field="status",
                code="transition_not_allowed",
            )
        filling = ("resolution_code", "resolution") if resolution.strip() else ("resolution_code",)
        fields = _set_status(ticket, actor, target, reason=resolution, filling=filling)
        _event(
            ticket,
            actor,
            EventAction.RESOLUTION,
            field="resolution_code",
            old=ticket.resolution_code,
            new=code,
            reason=resolution,
        )
        ticket.resolution_code = code
        ticket.resolution = resolution
        _touch(ticket, *fields, "resolution_code", "resolution")
    return ticket


def reopen_ticket(
    actor: User | None,
    ticket: Ticket,
    *,
    reason: str = "",
    allow_closed: bool = False,
    expected_version: int | None = None,
) -> Ticket:
    """The issue is back: return the ticket to the group that resolved it.

    `allow_closed` (a mailbox set to reopen closed tickets on a reply) also reopens a closed
    ticket, to where its workflow allows or else to where a resolved ticket would go."""
    reopenable = (StatusCategory.RESOLVED, StatusCategory.CLOSED) if allow_closed else ()
    with _writing():
        ticket = _lock(actor, ticket)
        _check_version(ticket, expected_version)
        if ticket.status.category != StatusCategory.RESOLVED and (
            ticket.status.category not in reopenable
        ):
            raise ServiceError(
                _("Only resolved tickets can be reopened."), field="status", code="not_resolved"
            )
        target = _first_allowed(ticket, StatusCategory.OPEN, prefer=("in_progress", "assigned"))
        if target is None and ticket.status.category == StatusCategory.CLOSED:
            target = _reopen_target_of_closed(ticket)
        if target is None:
            raise ServiceError(
                _("This workflow does not allow reopening."),
                field="status",
                code="transition_not_allowed",
            )
        fields = _set_status(ticket, actor, target, reason=reason)
        if reason:
            comment = Comment.objects.create(
                ticket=ticket,
                author=actor,
                body=reason,
                is_internal=bool(actor and actor.is_agent),
            )
            _event(
                ticket,
                actor,
                EventAction.REPLY if not comment.is_internal else EventAction.NOTE,
                comment=comment,
            )
        _touch(ticket, *fields)
    return ticket


def _reopen_target_of_closed(ticket: Ticket) -> Status | None:
    # Most workflows have no way out of Closed; reopen to where Resolved would go.
    resolved = Status.objects.filter(category=StatusCategory.RESOLVED).order_by("order").first()
    moves = StatusTransition.objects.filter(
        kind=ticket.kind, from_status=resolved, to_status__category=StatusCategory.OPEN
    ).select_related("to_status")
    targets = {t.to_status.key: t.to_status for t in moves}
    for key in ("in_progress", "assigned"):
        if key in targets:
            return targets[key]
    return next(iter(targets.values()), None)


def close_ticket(
    actor: User | None,
    ticket: Ticket,
    *,
    comment: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Close a resolved ticket: the requester confirms, or the desk closes it."""
    with _writing():
        ticket = _lock(actor, ticket)
        _check_version(ticket, expected_version)
        if ticket.status.category != StatusCategory.RESOLVED and (
            actor is not None and not actor.is_agent and not actor.is_superuser
        ):
            raise ServiceError(
                _("Only resolved tickets can be confirmed."), field="status", code="not_resolved"
            )
        target = _first_allowed(ticket, StatusCategory.CLOSED, prefer=("closed",))
        if target is None:
            raise ServiceError(
                _("A %(kind)s in %(status)s cannot be closed.")
                % {"kind": ticket.get_kind_display().lower(), "status": ticket.status.label},
                field="status",
                code="transition_not_allowed",
            )
        if comment.strip():
            note = Comment.objects.create(
                ticket=ticket, author=actor, body=comment.strip(), is_internal=False
            )
            _event(ticket, actor, EventAction.REPLY, comment=note)
        fields = _set_status(
            ticket,
            actor,
            target,
            reason=reasons.RESOLUTION_CONFIRMED if actor and not actor.is_agent else "",
        )
        _touch(ticket, *fields)
    return ticket
