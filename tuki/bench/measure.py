"""The measurements through HTTP, with their floors: a plain Django project's one view under
plain gunicorn (the machine's floor for a Django server), a trivial view through Tuki's
server and a bare one-row INSERT transaction on the same database."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.urls import NoReverseMatch, reverse

from tuki.bench.clients import latency, p95, served, throughput
from tuki.bench.floors import floor_plain, floor_view_throughput, spread_throughput
from tuki.bench.options import Figure, Run
from tuki.bench.targets import count_queries, page_targets, scene


def floor_insert(seconds: float) -> tuple[float, list[float]]:
    """One-row INSERT transactions per second on this database, and their latencies."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS tuki_bench_floor (id integer PRIMARY KEY, note varchar(50))"
            if connection.vendor == "sqlite"
            else "CREATE TABLE IF NOT EXISTS tuki_bench_floor (id bigserial PRIMARY KEY, note varchar(50))"
        )
        cursor.execute("DELETE FROM tuki_bench_floor")
    samples: list[float] = []
    stop = time.perf_counter() + seconds
    connection.ensure_connection()
    raw = connection.connection
    while time.perf_counter() < stop:
        started = time.perf_counter()
        if connection.vendor == "sqlite":
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("INSERT INTO tuki_bench_floor (note) VALUES ('floor')")
            raw.execute("COMMIT")
        else:
            with raw.cursor() as cursor:
                cursor.execute("INSERT INTO tuki_bench_floor (note) VALUES ('floor')")
            raw.commit()
        samples.append(time.perf_counter() - started)
    return len(samples) / seconds, samples


def measure_http(run: Run, url: str, say: Callable[[str], None]) -> None:
    options = run.options
    s = scene(run.data)
    targets = page_targets(s)
    if not _has_search():
        targets.pop("search_page")
    queries = count_queries(s, targets)
    if options.wants("floor_insert"):
        rate, samples = floor_insert(options.seconds)
        run.figures.append(
            Figure(
                "floor_insert",
                "one-row INSERT transaction, the floor",
                "/s",
                rate,
                p95=p95(samples) * 1000,
                samples=len(samples),
                note=f"median {statistics.median(samples) * 1000:.2f} ms",
            )
        )
        say(_line(run.figures[-1]))
    wanted = [n for n in targets if options.wants(n) or (n == "floor_view" and options.only)]
    plain = None
    if "floor_view" in wanted:
        run.figures += floor_plain(options, say)
        plain = run.figures[-1].value
        say(_line(run.figures[-2]))
    with served(url, options, say) as tuki:
        port = tuki.port
        session = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={s.session_key}"}
        api = {"Authorization": f"Bearer {s.token}"}
        floor_rate = None
        for name in wanted:
            label, target, ok = targets[name]
            headers = api if name.startswith("api_") else session
            if name == "floor_view":
                headers = {}  # the floor: no session to load, no database at all
            if name == "api_create":
                rate, done, failed = throughput(
                    port, headers, target, options.create_clients, options.seconds * 2, ok
                )
                figure = Figure(
                    name,
                    f"{label}, {options.create_clients} clients",
                    "/s",
                    rate,
                    queries=queries.get(name),
                    samples=done,
                    errors=failed,
                )
                insert = run.get("floor_insert")
                if insert:
                    figure.floor, figure.ratio = "floor_insert", rate / insert.value
                run.figures.append(figure)
                say(_line(figure))
                continue
            samples, errors = latency(port, headers, target, options.repetitions, ok)
            if name == "floor_view":
                rate, done, failed, spread = spread_throughput(tuki, {}, target, options)
            else:
                rate, done, failed = throughput(
                    port, headers, target, options.clients, options.seconds, ok
                )
            median = statistics.median(samples) * 1000
            figure = Figure(
                name,
                label,
                "ms",
                median,
                p95=p95(samples) * 1000,
                queries=queries.get(name),
                samples=len(samples),
                errors=errors + failed,
                note=f"{rate:,.0f}/s with {options.clients} clients",
            )
            figure_rate = rate
            if name == "floor_view":
                floor_rate = rate
                figure.note += spread
                if plain:
                    figure.floor, figure.ratio = "floor_plain", rate / plain
            elif floor_rate:
                figure.floor, figure.ratio = "floor_view", figure_rate / floor_rate
            run.figures.append(figure)
            if name == "floor_view":
                run.figures.append(floor_view_throughput(figure, rate, done, failed))
                say(_line(figure))
                continue
            run.figures.append(
                Figure(
                    f"{name}_throughput",
                    f"{label}: throughput",
                    "/s",
                    rate,
                    floor="floor_view" if floor_rate and name != "floor_view" else "",
                    ratio=(rate / floor_rate) if floor_rate and name != "floor_view" else None,
                    samples=done,
                    errors=failed,
                )
            )
            say(_line(figure))


def _has_search() -> bool:

    try:
        reverse("search:page")
    except NoReverseMatch:
        return False
    return True


def _line(f: Figure) -> str:
    if f.unit == "ms":
        text = f"{f.label:<48} median {f.value:8.1f} ms  p95 {f.p95 or 0:8.1f} ms"
    else:
        text = f"{f.label:<48} {f.value:12,.1f} /s"
    if f.queries is not None:
        text += f"  {f.queries} queries"
    if f.ratio is not None:
        text += f"  {f.ratio:.0%} of {'plain Django' if f.floor == 'floor_plain' else 'floor'}"
    if f.note:
        text += f"  ({f.note})"
    if f.errors:
        text += f"  [{f.errors} errors]"
    return "  " + text
