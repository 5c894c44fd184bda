"""Ticket events: who acted (a person, or `acting_as` a rule, the SLA, the system), what
changed, and the signals that announce it (tuki/tickets/signals.py).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from tuki.accounts.models import User
from tuki.tickets import signals
from tuki.tickets.models import ActorKind, Comment, Status, Ticket, TicketEvent


@dataclass(frozen=True)
class Acting:
    """Who acts when no person does: an automation rule, an SLA timer, an import."""

    actor_kind: str
    reason: str = ""
    rule_id: int | None = None
    depth: int = 0


_acting: contextvars.ContextVar[Acting | None] = contextvars.ContextVar(
    "tuki_tickets_acting", default=None
)


@contextmanager
def acting_as(
    actor_kind: str, reason: str = "", *, rule_id: int | None = None, depth: int = 0
) -> Iterator[Acting]:
    """Within this block, events recorded with no actor name this actor kind and reason.

    The automation engine wraps a rule's actions in it (actor=None): every change lands in
    the timeline as "rule", with the rule's name as the reason and the rule's id and chain
    depth on the event, which is how the engine refuses to re-trigger a rule or loop.
    """
    acting = Acting(actor_kind, reason, rule_id, depth)
    token = _acting.set(acting)
    try:
        yield acting
    finally:
        _acting.reset(token)


def current_acting() -> Acting | None:
    return _acting.get()


# The last event recorded in this context: after a service returns, tells whether anything
# run on its commit (a rule, a task the immediate backend ran at once) changed a ticket again.
_last_event: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "tuki_tickets_last_event", default=None
)


def changed_after_commit(ticket: Ticket) -> bool:
    """Whether events were recorded after `create_ticket` committed `ticket`: then the
    object it returned is not the stored state and must be read again to be shown."""
    return _last_event.get() != getattr(ticket, "_last_event_at_commit", None)


def _event(
    ticket: Ticket,
    actor: User | None,
    action: str,
    *,
    field: str = "",
    old: object = "",
    new: object = "",
    reason: str = "",
    comment: Comment | None = None,
    actor_kind: str = ActorKind.USER,
) -> TicketEvent:
    acting = _acting.get()
    rule_id, depth = None, 0
    if acting is not None and actor is None:
        actor_kind, reason = acting.actor_kind, reason or acting.reason
        rule_id, depth = acting.rule_id, acting.depth
    event = TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        actor_kind=actor_kind if actor else (actor_kind or ActorKind.SYSTEM),
        action=action,
        field=field,
        old_value=_display(old)[:300],
        new_value=_display(new)[:300],
        reason=reason,
        comment=comment,
        rule_id=rule_id,
        depth=depth,
        # The version the service's `_touch` is about to give the ticket (a new ticket's
        # events belong to its first version).
        version=ticket.version if getattr(ticket, "_creating", False) else ticket.version + 1,
    )
    _last_event.set(event.pk)
    signals.event_recorded.send(sender=TicketEvent, event=event)
    transaction.on_commit(lambda: signals.event_committed.send(sender=TicketEvent, event=event))
    return event


def _display(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Status):
        return value.name  # stored untranslated; the timeline translates on display
    return str(value)


def record_sla_event(
    ticket: Ticket, action: str, *, field: str = "", old: object = "", new: object = ""
) -> TicketEvent:
    """A warning or breach of an SLA clock, in the timeline (actor kind "sla").

    The sla app calls it (tickets never imports sla); other apps follow it as any event.
    The caller holds a transaction.
    """
    return _event(ticket, None, action, field=field, old=old, new=new, actor_kind=ActorKind.SLA)


def record_event(
    ticket: Ticket,
    actor: User | None,
    action: str,
    *,
    field: str = "",
    old: object = "",
    new: object = "",
    reason: str = "",
    touch: bool = False,
) -> TicketEvent:
    """An event another app records about a ticket it acted on (approvals: requested,
    approved, rejected), in the timeline and announced like any other. The caller holds a
    transaction; with actor=None inside `acting_as`, the rule (or system) is the actor.
    `touch`: the event changed the ticket itself (the items it names), so its `updated_at`
    moves to the event's time."""
    event = _event(ticket, actor, action, field=field, old=old, new=new, reason=reason)
    if touch:
        # The caller may hold an object read before another change: count on in the row.
        ticket.updated_at = event.created_at
        Ticket.objects.filter(pk=ticket.pk).update(
            updated_at=event.created_at, version=F("version") + 1
        )
        ticket.version = Ticket.objects.values_list("version", flat=True).get(pk=ticket.pk)
        if event.version != ticket.version:
            event.version = ticket.version
            TicketEvent.objects.filter(pk=event.pk).update(version=ticket.version)
    return event
