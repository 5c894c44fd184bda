"""The floors of the HTTP measurements (tuki/bench/measure.py): `floor_plain`, a plain
Django project's one view (tuki/bench/plainapp.py) under plain gunicorn with the same
workers and clients as Tuki's server, and how a server's worker processes share a
throughput run (the busiest one's share of their CPU seconds)."""

from __future__ import annotations

import statistics
from collections.abc import Callable

from tuki.bench.clients import (
    Served,
    Target,
    busiest_share,
    latency,
    p95,
    plain_server,
    throughput,
    worker_cpu,
)
from tuki.bench.options import Figure, Options


def floor_plain(options: Options, say: Callable[[str], None]) -> list[Figure]:
    """A plain Django project's one view under plain gunicorn, same workers and clients as
    Tuki's server: the floor `floor_view` is held to (its throughput over this one's)."""
    with plain_server(options, say) as plain:
        samples, errors = latency(plain.port, {}, _healthz, options.repetitions, (200,))
        rate, done, failed, spread = spread_throughput(plain, {}, _healthz, options)
    label = "plain Django view under gunicorn, the floor"
    note = f"{rate:,.0f}/s with {options.clients} clients{spread}"
    figure = Figure(
        "floor_plain",
        label,
        "ms",
        statistics.median(samples) * 1000,
        p95=p95(samples) * 1000,
        queries=0,
        samples=len(samples),
        errors=errors + failed,
        note=note,
    )
    return [
        figure,
        Figure(
            "floor_plain_throughput",
            f"{label}: throughput",
            "/s",
            rate,
            samples=done,
            errors=failed,
        ),
    ]


def _healthz(i: int) -> tuple[str, str, bytes | None]:
    return "GET", "/healthz", None


def spread_throughput(
    server: Served, headers: dict[str, str], target: Target, options: Options
) -> tuple[float, int, int, str]:
    """`throughput`, and how the server's worker processes shared it (their CPU seconds)."""
    before = worker_cpu(server.pid)
    rate, done, failed = throughput(
        server.port, headers, target, options.clients, options.seconds, (200,)
    )
    share = busiest_share(before, worker_cpu(server.pid))
    spread = "" if share is None else f", busiest of {len(before)} workers {share:.0%} of CPU"
    return rate, done, failed, spread


def floor_view_throughput(figure: Figure, rate: float, done: int, failed: int) -> Figure:
    return Figure(
        "floor_view_throughput",
        f"{figure.label}: throughput",
        "/s",
        rate,
        floor=figure.floor,
        ratio=figure.ratio,
        samples=done,
        errors=failed,
        note=figure.note,
    )
