"""Routing and assignment in the background, after the ticket's change committed.

Each task is idempotent (services re-check under row locks) and swallows its own errors:
a routing rule pointing at a vanished group must never undo or block the ticket change
that triggered it. Errors are logged.
"""

from __future__ import annotations

import logging
from typing import Any

from django_tasks import task

from tuki.lib import taskqueue
from tuki.routing import services
from tuki.routing.models import RoutingRule

log = logging.getLogger(__name__)


def _route_each(calls: list[tuple[list[Any], dict[str, Any]]]) -> list[str]:
    """Many queued routings claimed together, the active rules read once, each ticket
    routed on its own (each locks its ticket)."""
    rules = services.active_rules()
    return [_route(*args, **{**kwargs, "rules": rules}) for args, kwargs in calls]


@task()
@taskqueue.batched(_route_each, size=50)
def route_ticket(ticket_id: int, depth: int = 0) -> str:
    """A new ticket: the routing rules, then the receiving group's assignment mode."""
    return _route(ticket_id, depth)


def _route(ticket_id: int, depth: int = 0, rules: list[RoutingRule] | None = None) -> str:
    try:
        outcome = services.route_new_ticket(ticket_id, depth, rules)
        if not outcome.startswith("routed"):
            # Routed tickets are assigned on their group event (assign_ticket task).
            outcome += "; " + services.auto_assign(ticket_id, depth)
        return outcome
    except Exception:
        log.exception("Routing ticket %s failed", ticket_id)
        return "failed"


@task()
def assign_ticket(ticket_id: int, depth: int = 0) -> str:
    """A ticket arrived in a group: give it to a member if the group assigns automatically."""
    try:
        return services.auto_assign(ticket_id, depth)
    except Exception:
        log.exception("Auto-assigning ticket %s failed", ticket_id)
        return "failed"
