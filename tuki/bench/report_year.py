"""The 12-month report, measured in-process through the reports engine as a desk manager sees
it: `tuki.reports.bench.twelve_month_report` (every headline indicator's total with the
previous period, the monthly volume trend, time to resolve by group), up to today, with the current month read from the facts (as on a live desk) and the months
before from their rollups.

No HTTP: the report pages are another helper's; this is the engine's own cost, what any page
or the API adds its rendering to. Latency is the median and p95 of `repetitions` runs after
one warm-up; queries are counted on one run.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tuki.accounts.models import SupportGroup, User
from tuki.bench.clients import p95
from tuki.bench.options import Figure, Run
from tuki.reports import rollups
from tuki.reports.bench import twelve_month_report
from tuki.reports.filters import today

NAME = "report_year"
LABEL = "12-month report: summary, monthly trend, by group"  # as reports.bench says


def desk_manager() -> User:
    """The manager of the bench's service desk (tuki/bench/world.py), made once."""
    desk = SupportGroup.objects.filter(tier=SupportGroup.Tier.SERVICE_DESK).order_by("id").first()
    assert desk is not None, "no service desk in the benchmark data"
    manager, _ = User.objects.get_or_create(
        email="manager@bench.tuki.example",
        defaults={"full_name": "Desk Manager", "is_agent": True, "sees_all_tickets": True},
    )
    if desk.manager_id != manager.pk:
        desk.manager = manager
        desk.save(update_fields=["manager"])
    desk.members.add(manager)
    return User.objects.get(pk=manager.pk)


def measure(run: Run, say: Callable[[str], None]) -> None:
    viewer = desk_manager()
    end = today()
    # A live desk's current month keeps changing, so reports read it from the facts, not
    # the rollups (tuki/reports/rollups.py): measure that, not a desk standing still.
    rollups.mark([end])
    twelve_month_report(viewer, end)  # warm: translations, content types, the planner's caches
    with CaptureQueriesContext(connection) as ctx:
        results = twelve_month_report(viewer, end)
    repetitions = max(3, min(run.options.repetitions, 20))
    samples = []
    for _ in range(repetitions):
        started = time.perf_counter()
        twelve_month_report(viewer, end)
        samples.append(time.perf_counter() - started)
    figure = Figure(
        NAME,
        LABEL,
        "ms",
        statistics.median(samples) * 1000,
        p95=p95(samples) * 1000,
        queries=len(ctx.captured_queries),
        samples=len(samples),
        note=f"{results[0].filters.start} to {end}, in-process",
    )
    run.figures.append(figure)
    say(
        f"  {LABEL:<48} median {figure.value:8.1f} ms  p95 {figure.p95 or 0:8.1f} ms"
        f"  {figure.queries} queries"
    )
