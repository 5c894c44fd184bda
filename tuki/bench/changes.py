"""Change conflicts measured in-process (docs/change-calendar.md): `conflicts.check` and
`conflicts.free_slots` of random changes among 10,000 changes planned over a year on the
benchmark's configuration database (100,000 items, tuki/bench/cmdb.py).

The changes are written in bulk (tickets of kind "change", their `Change` rows with a window
of 1 to 4 hours, one to three affected items each, an implementer among 50 agents), with a
few dozen blackouts, some global; then `--repetitions` random changes are checked after one
warm-up. Queries are counted on one check.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tuki.accounts.models import SupportGroup, User
from tuki.bench.clients import p95
from tuki.bench.options import Figure, Run
from tuki.changes import conflicts
from tuki.changes.models import BlackoutPeriod, Change
from tuki.cmdb.models import AffectedItem, ConfigurationItem
from tuki.tickets.choices import Kind
from tuki.tickets.models import Status, Ticket

CHECK = "change_conflicts"
SLOTS = "change_free_slots"
NAMES = (CHECK, SLOTS)
START = datetime(2031, 1, 6, tzinfo=UTC)
PREFIX = "Bench change "


def seed(count: int = 10_000, *, seed: int = 17) -> list[int]:
    """Write `count` changes (those of an earlier run are removed first); their ids."""
    rng = random.Random(seed)
    cis = list(ConfigurationItem.objects.values_list("pk", flat=True))
    if not cis:
        raise RuntimeError("build the configuration database first (tuki/bench/cmdb.py)")
    with transaction.atomic():
        Ticket.objects.filter(kind=Kind.CHANGE, title__startswith=PREFIX).delete()
        BlackoutPeriod.objects.filter(name__startswith=PREFIX).delete()
        group, _ = SupportGroup.objects.get_or_create(
            name="Bench change team", defaults={"tier": 2}
        )
        agents = []
        for n in range(50):
            agent, _ = User.objects.get_or_create(
                email=f"implementer{n}@bench.example",
                defaults={"full_name": f"Implementer {n}", "is_agent": True},
            )
            agents.append(agent)
        status = Status.objects.get(key="scheduled")
        tickets = Ticket.objects.bulk_create(
            [
                Ticket(
                    kind=Kind.CHANGE,
                    title=f"{PREFIX}{n}",
                    status=status,
                    requester=agents[n % 50],
                    owner_group=group,
                    group=group,
                )
                for n in range(count)
            ],
            batch_size=2000,
        )
        changes, named = [], []
        for ticket in tickets:
            start = START + timedelta(minutes=30 * rng.randrange(365 * 48))
            changes.append(
                Change(
                    ticket=ticket,
                    planned_start=start,
                    planned_end=start + timedelta(hours=rng.randint(1, 4)),
                    implementer=rng.choice(agents),
                )
            )
            for ci in set(rng.sample(cis, rng.randint(1, 3))):
                named.append(AffectedItem(ticket=ticket, ci_id=ci))
        Change.objects.bulk_create(changes, batch_size=2000)
        AffectedItem.objects.bulk_create(named, batch_size=5000)
        for n in range(40):
            begin = START + timedelta(days=rng.randrange(365))
            blackout = BlackoutPeriod.objects.create(
                name=f"{PREFIX}blackout {n}", starts_at=begin, ends_at=begin + timedelta(days=2)
            )
            if n % 4:
                blackout.items.set(rng.sample(cis, 20))
    return [t.pk for t in tickets]


def _timed(call: Callable[[Change], int], changes: list[Change]) -> tuple[list[float], list[int]]:
    samples, sizes = [], []
    for change in changes:
        started = time.perf_counter()
        sizes.append(call(change))
        samples.append(time.perf_counter() - started)
    return samples, sizes


def _figure(name: str, label: str, samples: list[float], sizes: list[int], queries: int) -> Figure:
    return Figure(
        name,
        label,
        "ms",
        statistics.median(samples) * 1000,
        p95=p95(samples) * 1000,
        queries=queries,
        samples=len(samples),
        note=f"found: median {statistics.median(sizes):,.0f}, max {max(sizes):,}",
    )


def measure(run: Run, say: Callable[[str], None], *, count: int = 10_000, seed: int = 17) -> None:
    say(f"  seeding {count:,} changes")
    ids = globals()["seed"](count, seed=seed)
    rng = random.Random(seed)
    picked = rng.sample(ids, min(max(1, run.options.repetitions), len(ids)))
    sample = list(Change.objects.filter(pk__in=picked).select_related("ticket"))
    calls: dict[str, tuple[str, Callable[[Change], int]]] = {
        CHECK: ("conflicts of a change (conflicts.check)", lambda c: len(conflicts.check(c))),
        SLOTS: (
            "next 3 free slots in 14 days (conflicts.free_slots)",
            lambda c: len(conflicts.free_slots(c, after=c.planned_start)),
        ),
    }
    for name, (label, call) in calls.items():
        if not run.options.wants(name):
            continue
        call(sample[0])  # warm
        samples, sizes = _timed(call, sample)
        with CaptureQueriesContext(connection) as ctx:
            call(sample[0])
        figure = _figure(name, label, samples, sizes, len(ctx.captured_queries))
        run.figures.append(figure)
        say(
            f"  {label:<48} median {figure.value:8.1f} ms  p95 {figure.p95 or 0:8.1f} ms"
            f"  {figure.queries} queries  ({figure.note})"
        )
