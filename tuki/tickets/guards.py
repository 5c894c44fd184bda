"""Rules other apps add to the ticket workflow without the tickets app importing them: a
normal change may not be scheduled before its approvals, a problem may not be closed while
its incidents keep coming back (docs/changes.md, docs/problems.md).

A guard is registered for a kind from the app's `AppConfig.ready()`. Every status move goes
through `tickets.services` (`_set_status`: changing, resolving, reopening, closing, rules,
bulk actions, approvals, a kind switch), which asks every guard of the ticket's kind before
it moves; a guard that refuses raises `ServiceError` (field "status") saying why, and nothing
of the service's change is written. A guard runs inside the service's transaction, with the
ticket locked; it must be quick (a fixed number of queries).

`check(ticket, old, new, actor)`: `ticket.kind` is the kind the ticket has after the move (a
kind switch asks with the new kind), `old` and `new` are `Status` rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tuki.accounts.models import User
    from tuki.tickets.models import Status, Ticket

Check = Callable[["Ticket", "Status", "Status", "User | None"], None]


@dataclass(frozen=True)
class Guard:
    key: str
    kinds: tuple[str, ...]
    check: Check


_GUARDS: dict[str, Guard] = {}


def register(guard: Guard) -> None:
    _GUARDS[guard.key] = guard


def unregister(key: str) -> None:
    _GUARDS.pop(key, None)


def guards_for(kind: str) -> list[Guard]:
    return [g for key, g in sorted(_GUARDS.items()) if kind in g.kinds]


def check_move(ticket: Ticket, old: Status, new: Status, actor: User | None) -> None:
    """Ask every guard of the ticket's kind; the first that refuses raises ServiceError."""
    for guard in guards_for(ticket.kind):
        guard.check(ticket, old, new, actor)
