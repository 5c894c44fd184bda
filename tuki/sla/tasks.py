"""SLA background work: warnings and breaches at their exact instant, bulk recomputation.

Timers are tasks enqueued with `run_after` (architecture.md: no scan of every ticket). Backends
that cannot defer (the immediate one used by tests) get no timer tasks: tests call
`services.fire_timer` with the instant they mean, and `fire_due_sla_timers` catches up.

This module imports the code its tasks run (services), and that code (clocks.py) imports
this module to enqueue them: firing a timer plans the next ones. Both sides import the other
as a module and read its names at call time, so either may load first
(docs/development/architecture.md, "Layers": the task pattern).
"""

from __future__ import annotations

from datetime import datetime

from django_tasks import default_task_backend, task

from tuki.sla import services


def can_defer() -> bool:
    return bool(default_task_backend.supports_defer)


@task()
def fire_sla_timer(timer_id: int, due_at: str) -> str:
    """One warning or breach; a no-op if it fired already or its due time moved."""
    return services.fire_timer(timer_id, due_at=datetime.fromisoformat(due_at))


@task()
def fire_due_sla_timers() -> int:
    """Every timer already due (after a worker outage); each still fires only once."""
    return services.fire_due_timers()


@task()
def recompute_sla(why: str, calendar_id: int | None = None, name: str = "") -> int:
    """After a policy, agreement, service or calendar change: move the open clocks."""
    if calendar_id is not None:
        return services.recompute_calendar(calendar_id, name=name)
    return services.recompute_tickets(
        services.open_ticket_ids(), why=why, details={"name": name} if name else {}
    )
