"""Impact analysis measured in-process on the benchmark's configuration database
(tuki/bench/cmdb.py): `impact.analyse` of one failing item of the component layer, and
`impact.dependencies` of a business service, each for `--repetitions` random items (200 by
default, as the budget says), after one warm-up.

No HTTP: the pages that show impact belong to others; this is the engine's own cost, what a
ticket page, the CI page or an alert adds its rendering to. Queries are counted on one run
of the item that reaches the most.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tuki.bench.clients import p95
from tuki.bench.options import Figure, Run
from tuki.cmdb import impact
from tuki.cmdb.models import ConfigurationItem, Layer

IMPACT = "impact"
DEPENDENCIES = "impact_dependencies"
NAMES = (IMPACT, DEPENDENCIES)


def _sample(layer: str, count: int, rng: random.Random) -> list[int]:
    ids = list(ConfigurationItem.objects.filter(ci_class__layer=layer).values_list("pk", flat=True))
    return rng.sample(ids, min(count, len(ids))) if ids else []


def _timed(call: Callable[[int], int], ids: list[int]) -> tuple[list[float], list[int]]:
    samples, sizes = [], []
    for pk in ids:
        started = time.perf_counter()
        sizes.append(call(pk))
        samples.append(time.perf_counter() - started)
    return samples, sizes


def _queries(call: Callable[[int], int], pk: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call(pk)
    return len(ctx.captured_queries)


def _figure(name: str, label: str, samples: list[float], sizes: list[int], queries: int) -> Figure:
    return Figure(
        name,
        label,
        "ms",
        statistics.median(samples) * 1000,
        p95=p95(samples) * 1000,
        queries=queries,
        samples=len(samples),
        note=(
            f"reached: median {statistics.median(sizes):,.0f}, "
            f"p95 {sorted(sizes)[int(0.95 * (len(sizes) - 1))]:,}, max {max(sizes):,}"
        ),
    )


def measure(run: Run, say: Callable[[str], None], *, seed: int = 16) -> None:
    rng = random.Random(seed)
    count = max(1, run.options.repetitions)
    if run.options.wants(IMPACT):
        failing = _sample(Layer.COMPONENT, count, rng)

        def analyse(pk: int) -> int:
            return len(impact.analyse([pk]).items)

        analyse(failing[0])  # warm
        samples, sizes = _timed(analyse, failing)
        widest = failing[sizes.index(max(sizes))]
        figure = _figure(
            IMPACT,
            "impact of a failing component (impact.analyse)",
            samples,
            sizes,
            _queries(analyse, widest),
        )
        run.figures.append(figure)
        say(_line(figure))
    if run.options.wants(DEPENDENCIES):
        services = _sample(Layer.BUSINESS, count, rng)

        def needs(pk: int) -> int:
            return len(impact.dependencies(pk))

        needs(services[0])
        samples, sizes = _timed(needs, services)
        figure = _figure(
            DEPENDENCIES,
            "what a business service needs (impact.dependencies)",
            samples,
            sizes,
            _queries(needs, services[sizes.index(max(sizes))]),
        )
        run.figures.append(figure)
        say(_line(figure))


def _line(f: Figure) -> str:
    return (
        f"  {f.label:<48} median {f.value:8.1f} ms  p95 {f.p95 or 0:8.1f} ms"
        f"  {f.queries} queries  ({f.note})"
    )
