"""What Assist adds to Log a call: the two requests the page makes while the operator types
(tickets/views/call.py), measured in-process on the bench's tickets.

- `call_similar`: the open tickets the call may duplicate and the live outages
  (tuki/assist/duplicates.py): the caller's own, the organisation's and the category's of
  the last 14 days (an id range: the cost follows the tickets of the window, not the table),
  at most 200, scored by their words;
- `call_assist`: the suggested group, category and priority with their reason (the newest
  model of each kind; a group model is trained first when the desk has none).

Each is the view called with a request as the browser sends it, rendering included, for a
busy requester in the category with the most tickets. Median and p95 of `repetitions` runs
after a warm-up; queries counted on one run.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Count
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from tuki.accounts.models import SupportGroup, User
from tuki.assist import services as assist
from tuki.assist.models import AssistModel, Kind as AssistKind
from tuki.bench.clients import p95
from tuki.bench.options import Figure, Run
from tuki.tickets.models import Category, Ticket
from tuki.tickets.views import call

NAME = "call_assist"
NAMES = ("call_similar", "call_assist", "call_assist_total")


def _operator() -> User:
    desk = SupportGroup.objects.filter(tier=SupportGroup.Tier.SERVICE_DESK).order_by("id").first()
    assert desk is not None, "no service desk in the benchmark data"
    member = desk.members.filter(is_active=True, is_agent=True).order_by("id").first()
    assert member is not None, "nobody in the service desk"
    return member


def _scene() -> dict[str, Any]:
    """A busy caller in the busiest category, and a title like that category's tickets."""
    top = (
        Ticket.objects.exclude(category=None)
        .values("category")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert top is not None, "no tickets in the benchmark data"
    category = Category.objects.get(pk=top["category"])
    sample = Ticket.objects.filter(category=category).order_by("-id").first()
    assert sample is not None
    return {
        "requester": sample.requester_id,
        "category": category.pk,
        "title": sample.title,
        "description": sample.description[:300],
        "impact": 2,
        "urgency": 2,
        "kind": "incident",
    }


def _time(view: Callable[..., Any], request: Any, repetitions: int) -> tuple[list[float], int]:
    view(request)  # warm: templates, translations, the learners unpickled
    with CaptureQueriesContext(connection) as ctx:
        view(request)
    samples = []
    for _ in range(repetitions):
        started = time.perf_counter()
        response = view(request)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200
    return samples, len(ctx.captured_queries)


def measure(run: Run, say: Callable[[str], None]) -> None:
    if not AssistModel.objects.filter(kind=AssistKind.GROUP).exists():
        started = time.perf_counter()
        assist.train(AssistKind.GROUP)
        say(f"  (a group model trained first: {time.perf_counter() - started:.0f} s)")
    operator = _operator()
    query = _scene()
    factory = RequestFactory()
    repetitions = max(5, min(run.options.repetitions, 50))
    totals: list[float] = []
    for name, view, path in [
        ("call_similar", call.call_similar, "/desk/call/similar/"),
        ("call_assist", call.call_assist, "/desk/call/assist/"),
    ]:
        request = factory.get(path, query)
        request.user = operator
        samples, queries = _time(view, request, repetitions)
        totals = [a + b for a, b in zip(totals, samples, strict=True)] if totals else samples
        _figure(run, say, name, f"Log a call: {name} partial", samples, queries)
    _figure(run, say, "call_assist_total", "Log a call: both partials", totals, None)


def _figure(
    run: Run,
    say: Callable[[str], None],
    name: str,
    label: str,
    samples: list[float],
    queries: int | None,
) -> None:
    note = f"{run.data.get('tickets', run.options.tickets)} tickets, in-process"
    figure = Figure(
        name,
        label,
        "ms",
        statistics.median(samples) * 1000,
        p95=p95(samples) * 1000,
        queries=queries,
        samples=len(samples),
        note=note,
    )
    run.figures.append(figure)
    say(
        f"  {label:<48} median {figure.value:8.1f} ms  p95 {figure.p95 or 0:8.1f} ms"
        f"  {figure.queries if queries is not None else '-'} queries"
    )
