"""Periodic jobs: catch-ups and clean-ups that every worker offers and exactly one runs.

An app registers its jobs in its `AppConfig.ready()`:

    periodic.register("sla.fire_due_timers", services.fire_due_timers, every=60)

Every task worker (`tuki worker`, `tuki serve --with-worker`) looks, between tasks, for
jobs whose time has come and claims each with a conditional UPDATE on the job's row
(`next_run_at <= now` → `next_run_at = now + every`): one worker wins a period, the others
update nothing and go on (tuki/server/scheduler.py). A job must therefore be safe to run
twice (a period lost to a crash runs again at the next) and quick: it runs in the worker's
loop, so long work belongs in tasks the job enqueues.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], Any]
    every: timedelta


_jobs: dict[str, Job] = {}


def register(name: str, run: Callable[[], Any], *, every: float | timedelta) -> None:
    """Offer `run` to the workers every `every` (seconds or a timedelta); names are unique."""
    period = every if isinstance(every, timedelta) else timedelta(seconds=every)
    if period <= timedelta(0):
        raise ValueError(f"periodic job {name!r} needs a positive period")
    if len(name) > 100:
        raise ValueError(f"periodic job name {name!r} is longer than 100 characters")
    _jobs[name] = Job(name, run, period)


def unregister(name: str) -> None:
    _jobs.pop(name, None)


def jobs() -> list[Job]:
    """The registered jobs, by name."""
    return [_jobs[name] for name in sorted(_jobs)]
