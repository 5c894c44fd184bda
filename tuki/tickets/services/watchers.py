"""People who follow a ticket."""

from __future__ import annotations

from collections.abc import Iterable

from tuki.accounts.models import User
from tuki.tickets.models import ActorKind, EventAction, Ticket
from tuki.tickets.services.common import _lock, _require_agent, _touch, _writing
from tuki.tickets.services.events import _event


def add_watchers(
    actor: User | None,
    ticket: Ticket,
    users: Iterable[User],
    *,
    actor_kind: str = ActorKind.USER,
) -> list[User]:
    """People who follow a ticket (e.g. Cc'd on an email); one event per new watcher."""
    _require_agent(actor)
    with _writing():
        ticket = _lock(actor, ticket)
        current = set(ticket.watchers.values_list("pk", flat=True))
        added = [
            user
            for user in dict.fromkeys(users)
            if user.is_active and user.pk not in current and user.pk != ticket.requester_id
        ]
        for user in added:
            ticket.watchers.add(user)
            _event(
                ticket, actor, EventAction.FIELD, field="watchers", new=user, actor_kind=actor_kind
            )
        if added:
            _touch(ticket)
    return added


def remove_watcher(actor: User | None, ticket: Ticket, user: User) -> bool:
    """Stop someone following a ticket: agents may remove anyone, people themselves.
    False when they were not watching (nothing recorded)."""
    if actor is not None and actor.pk != user.pk:
        _require_agent(actor)
    with _writing():
        ticket = _lock(actor, ticket)
        if not ticket.watchers.filter(pk=user.pk).exists():
            return False
        ticket.watchers.remove(user)
        _event(ticket, actor, EventAction.FIELD, field="watchers", old=user)
        _touch(ticket)
    return True
