"""Who works a ticket: assignment to a person, moves between groups, escalation."""

from __future__ import annotations

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils.translation import gettext as _

from tuki.accounts.models import SupportGroup, User
from tuki.lib.errors import ServiceError
from tuki.tickets.models import EventAction, StatusCategory, Ticket, TicketEvent
from tuki.tickets.services.common import _check_version, _lock, _require_agent, _touch, _writing
from tuki.tickets.services.events import _event
from tuki.tickets.services.workflow import _allowed, _first_allowed, _set_status, status_by_key


def assign_ticket(
    actor: User | None,
    ticket: Ticket,
    *,
    assignee: User | None,
    group: SupportGroup | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Give the work to a person (in the current or a given group), or unassign it. Over
    whoever has it: this is a deliberate reassignment (taking is not, `take_ticket`)."""
    _require_agent(actor)
    with _writing():
        ticket = _lock(actor, ticket)
        _check_version(ticket, expected_version)
        _assign(actor, ticket, assignee=assignee, group=group, reason=reason)
    return ticket


def _assign(
    actor: User | None,
    ticket: Ticket,
    *,
    assignee: User | None,
    group: SupportGroup | None = None,
    reason: str = "",
) -> None:
    """Assign the locked ticket."""
    target_group = group or ticket.group
    if assignee is not None:
        if not (assignee.is_agent or assignee.is_superuser) or not assignee.is_active:
            raise ServiceError(
                _("Only active agents can be assigned."), field="assignee", code="not_agent"
            )
        if not target_group.members.filter(pk=assignee.pk).exists():
            raise ServiceError(
                _("%(user)s is not a member of %(group)s.")
                % {"user": assignee, "group": target_group},
                field="assignee",
                code="not_member",
            )
    fields: list[str] = []
    if target_group != ticket.group:
        fields += _move_group(ticket, actor, target_group, reason)
    if assignee != ticket.assignee:
        _event(
            ticket,
            actor,
            EventAction.ASSIGNED,
            field="assignee",
            old=ticket.assignee,
            new=assignee,
            reason=reason,
        )
        ticket.assignee = assignee
        fields.append("assignee")
        if ticket.status.category == StatusCategory.NEW:
            target = _first_allowed(ticket, StatusCategory.OPEN, prefer=("assigned",))
            if target:
                fields += _set_status(ticket, actor, target)
    if fields:
        _touch(ticket, *dict.fromkeys(fields))


def take_ticket(actor: User, ticket: Ticket, *, expected_version: int | None = None) -> Ticket:
    """Pick up a ticket from one's group queue: assign to oneself and start work.

    One winner: a ticket another agent has (took, or was given) is refused ("taken"), read
    under the row lock, so of two agents taking it at once the second is told who has it."""
    _require_agent(actor)
    with _writing():
        ticket = _lock(actor, ticket)
        _check_version(ticket, expected_version)
        if ticket.assignee_id is not None and ticket.assignee_id != actor.pk:
            raise _taken(ticket)
        fields: list[str] = []
        if ticket.assignee_id is None:
            _assign(actor, ticket, assignee=actor)
        if ticket.status.key != "in_progress":
            target = status_by_key("in_progress")
            if _allowed(ticket, target):
                fields = _set_status(ticket, actor, target)
        if fields:
            _touch(ticket, *fields)
    return ticket


def _taken(ticket: Ticket) -> ServiceError:
    """Who has the ticket, and since when (its last assignment event)."""
    assignee = ticket.assignee
    assert assignee is not None
    event = (
        TicketEvent.objects.filter(ticket=ticket, field="assignee")
        .order_by("-created_at", "-id")
        .first()
    )
    when = naturaltime(event.created_at) if event else ""
    if event is not None and event.actor_id == assignee.pk:
        message = _("%(name)s took this ticket %(when)s.")
    else:
        message = _("%(name)s was assigned this ticket %(when)s.")
    error = ServiceError(
        message % {"name": str(assignee), "when": when}, field="assignee", code="taken"
    )
    error.assignee = assignee  # type: ignore[attr-defined]  # for the pages and the API
    return error


def _move_group(ticket: Ticket, actor: User | None, group: SupportGroup, reason: str) -> list[str]:
    if not group.is_active:
        raise ServiceError(_("This group is inactive."), field="group", code="inactive_group")
    old = ticket.group
    # Moved before the event: receivers of event_recorded read the up-to-date ticket.
    ticket.group = group
    ticket.reassignment_count += 1
    _event(
        ticket,
        actor,
        EventAction.ESCALATED if group.tier > old.tier else EventAction.GROUP,
        field="group",
        old=old,
        new=group,
        reason=reason,
    )
    return ["group", "reassignment_count"]


def escalate_ticket(
    actor: User | None,
    ticket: Ticket,
    *,
    group: SupportGroup | None = None,
    to_manager: bool = False,
    reason: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Functional escalation moves the work to a group (ownership stays with the desk);
    hierarchical escalation brings in the manager of the group working the ticket."""
    _require_agent(actor)
    if group is None and not to_manager:
        raise ServiceError(_("Choose a group to escalate to."), field="group", code="required")
    with _writing():
        ticket = _lock(actor, ticket)
        _check_version(ticket, expected_version)
        if not ticket.is_active:
            raise ServiceError(
                _("Only active tickets can be escalated."), field="status", code="not_active"
            )
        fields: list[str] = []
        if group is not None and group != ticket.group:
            fields += _move_group(ticket, actor, group, reason)
            if ticket.assignee_id:
                _event(
                    ticket,
                    actor,
                    EventAction.ASSIGNED,
                    field="assignee",
                    old=ticket.assignee,
                    new="",
                )
                ticket.assignee = None
                fields.append("assignee")
            if ticket.status.key != "assigned":
                target = _first_allowed(ticket, StatusCategory.OPEN, prefer=("assigned",))
                if target:
                    fields += _set_status(ticket, actor, target)
        if to_manager:
            manager = ticket.group.manager or (actor.manager if actor else None)
            if manager is None:
                raise ServiceError(
                    _("%(group)s has no manager to escalate to.") % {"group": ticket.group},
                    field="to_manager",
                    code="no_manager",
                )
            _event(
                ticket,
                actor,
                EventAction.ESCALATED_MANAGER,
                field="escalated_to",
                old=ticket.escalated_to,
                new=manager,
                reason=reason,
            )
            ticket.escalated_to = manager
            ticket.watchers.add(manager)
            fields.append("escalated_to")
        if fields:
            _touch(ticket, *dict.fromkeys(fields))
    return ticket
