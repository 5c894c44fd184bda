"""SLA recomputation: how long 100,000 open tickets take after their calendar changes.

Builds its own data in a throwaway database (a temporary SQLite file, or a scratch
PostgreSQL database when TUKI_DATABASE_URL names a server), never the configured one:

- a Helsinki office calendar (Mon-Fri 08:00-16:00, Finnish holidays) and one policy
  (first response 1 h, resolution 8 h, warnings at 75 % and 90 %);
- TUKI_BENCH_SLA_TICKETS open incidents (default 100,000) created over the last week;
- their clocks started by the engine (two per ticket, three timers each).

Then the office day becomes 09:00-17:00, so nearly every deadline moves, and
`recompute_calendar` moves every open clock, its timers and its log, a thousand tickets
per transaction, as the task after a calendar change does, and enqueues the moved clocks'
next timers (an INSERT per clock into the configured task queue, timed apart). Starting
the clocks is set-up, without timer tasks.
`seconds` is unused: each step runs once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from tuki.bench.database import throwaway_database

TICKETS = int(os.environ.get("TUKI_BENCH_SLA_TICKETS", "100000"))


@contextmanager
def timed(into: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    into[name] = into.get(name, 0.0) + time.perf_counter() - started


def make_data(count: int) -> tuple[Any, list[int]]:
    from django.utils import timezone

    from tuki.accounts.models import Organisation, SupportGroup, User
    from tuki.calendars.models import Calendar
    from tuki.sla.models import SlaPolicy, SlaTarget
    from tuki.tickets.models import Status, Ticket

    office = Calendar.objects.create(
        name="Helsinki office",
        time_zone="Europe/Helsinki",
        week={d: [["08:00", "16:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        holiday_country="FI",
    )
    policy = SlaPolicy.objects.create(name="Standard", calendar=office)
    SlaTarget.objects.bulk_create(
        SlaTarget(policy=policy, priority=p, first_response_minutes=60, resolution_minutes=480)
        for p in range(1, 6)
    )
    org = Organisation.objects.create(name="Acme")
    desk = SupportGroup.objects.create(name="Service Desk", tier=1)
    user = User.objects.create_user("bench@acme.test", "x", full_name="Bench", organisation=org)
    status = Status.objects.get(key="in_progress")
    now = timezone.now()
    week = 7 * 24 * 60
    tickets = (
        Ticket(
            title=f"Ticket {n}",
            status=status,
            requester=user,
            organisation=org,
            owner_group=desk,
            group=desk,
            priority=1 + n % 5,
            created_at=now - timedelta(minutes=(n * 7919) % week),
        )
        for n in range(count)
    )
    Ticket.objects.bulk_create(tickets, batch_size=2000)
    return office, list(Ticket.objects.values_list("pk", flat=True))


def run(seconds: float) -> Iterator[tuple[str, float, str]]:
    from django.utils import timezone

    from tuki.sla import clocks, services
    from tuki.sla.models import SlaClock, SlaClockLog, SlaTimer

    spent: dict[str, float] = {}
    real_plan = clocks.plan_timers

    def plan(plans: list[Any]) -> int:
        with timed(spent, "plan"):
            return real_plan(plans)

    clocks.plan_timers = plan
    try:
        with throwaway_database("sla"):
            with timed(spent, "data"):
                office, ids = make_data(TICKETS)
            clocks.plan_timers = lambda plans: 0  # set-up: no timer tasks for the start
            with timed(spent, "start"):
                services.recompute_tickets(ids, why="policy")
            clocks.plan_timers = plan
            clock_count = SlaClock.objects.count()
            logs_before = SlaClockLog.objects.count()
            office.week = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
            office.save()
            with timed(spent, "recompute"):
                changed = services.recompute_calendar(
                    office.pk, name=office.name, at=timezone.now()
                )
            yield ("open tickets", float(len(ids)), "")
            yield ("clocks (timers)", float(clock_count), f"({SlaTimer.objects.count():,})")
            yield ("create the tickets", spent["data"], "s")
            yield ("start their clocks (no timer tasks)", spent["start"], "s")
            yield ("recompute after the calendar change", spent["recompute"], "s")
            yield ("  of which planning timer tasks", spent.get("plan", 0.0), "s")
            yield ("  clocks moved", float(changed), "")
            yield ("  log lines written", float(SlaClockLog.objects.count() - logs_before), "")
            yield ("  tickets per second", len(ids) / spent["recompute"], "/s")
    finally:
        clocks.plan_timers = real_plan
