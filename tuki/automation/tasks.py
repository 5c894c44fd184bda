"""Automation background work: scheduled rules at their exact instant.

Like the SLA timers (tuki/sla/tasks.py): a ScheduledRun row plus a task enqueued with
`run_after`, no periodic scan. Backends that cannot defer (the immediate one in tests) get
no task: tests call `engine.fire_scheduled` with the instant they mean, and
`fire_due_scheduled_rules` catches up after an outage.

This module imports the code its tasks run, and that code imports this module to enqueue
them: a task that plans more of itself. Both sides import the other as a module and read
its names at call time, so either may load first (docs/development/architecture.md,
"Layers": the task pattern).
"""

from __future__ import annotations

from datetime import datetime

from django_tasks import default_task_backend, task

from tuki.automation import engine, services


def can_defer() -> bool:
    return bool(default_task_backend.supports_defer)


@task()
def fire_scheduled_rule(run_id: int, due_at: str) -> str:
    """One scheduled rule on one ticket; a no-op if it fired, was cancelled or moved."""
    return engine.fire_scheduled(run_id, due_at=datetime.fromisoformat(due_at))


@task()
def fire_due_scheduled_rules() -> int:
    """Every planned run already due; each still fires only once."""
    return engine.fire_due_scheduled()


@task()
def plan_scheduled_rule(rule_id: int) -> int:
    """A scheduled rule just saved: plan it for the open tickets it matches now."""
    return services.plan_rule(rule_id)
