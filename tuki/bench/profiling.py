"""`tuki bench --profile NAME`: where one page's time goes."""

from __future__ import annotations

import cProfile
import io
import pstats
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client as DjangoClient
from django.test.utils import CaptureQueriesContext

from tuki.bench.clients import p95
from tuki.bench.targets import page_targets, scene


def profile(data: dict[str, Any], name: str, repetitions: int, say: Callable[[str], None]) -> None:
    """Run one target in-process under cProfile and print where the time goes.

    Django's test client on the benchmark database, no server: the figures are the view's own
    (no HTTP, no second process), which is what a profile of a slow page needs.
    """

    s = scene(data)
    targets = page_targets(s)
    if name not in targets or name == "floor_insert":
        raise ValueError(f"cannot profile {name!r}; these can: {', '.join(targets)}")
    _label, target, ok = targets[name]
    client = DjangoClient(HTTP_HOST="127.0.0.1")
    if name.startswith("api_"):
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {s.token}"
    elif name != "floor_view":
        client.cookies[settings.SESSION_COOKIE_NAME] = s.session_key

    def once(i: int) -> int:
        method, path, body = target(i)
        response = client.generic(method, path, body or b"", content_type="application/json")
        if response.status_code not in ok:
            raise RuntimeError(f"{method} {path}: {response.status_code}")
        return response.status_code

    for i in range(3):  # warm: content types, translations, templates
        once(i)
    with CaptureQueriesContext(connection) as ctx:
        once(3)
    sql = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
    say(f"{name}: {len(ctx.captured_queries)} queries, {sql:.1f} ms of SQL (as Django timed it)")
    timings = []
    profiler = cProfile.Profile()
    for i in range(repetitions):
        began = time.perf_counter()
        profiler.enable()
        once(i)
        profiler.disable()
        timings.append(time.perf_counter() - began)
    say(
        f"{repetitions} requests: median {statistics.median(timings) * 1000:.1f} ms, "
        f"p95 {p95(timings) * 1000:.1f} ms (under the profiler)"
    )
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(35)
        say(out.getvalue())
