"""The benchmark suite behind `tuki bench`: a large desk, a real HTTP server, figures and floors.

1. **Its own database.** Next to the configured one, never in it: `<name>_bench` on the same
   PostgreSQL server, or `bench.sqlite3` in the var directory. It is migrated, loaded once
   with `--tickets N` tickets (tuki/core/benchdata.py) and kept for the next run with the
   same N (`--fresh` rebuilds it; `--quick` uses a small one and drops it afterwards).
2. **A real server.** `tuki serve --workers 2` (uvicorn, two processes) on a free port,
   pointed at that database; clients speak HTTP/1.1 with keep-alive from this process.
3. **Measurements.** Latency as median and p95 of sequential requests; throughput with
   several concurrent clients for a fixed time; SQL queries per request counted in-process
   with Django's test client on the same database.
4. **Floors** in the same run: a trivial view through the same server (`/healthz`) and a
   bare one-row INSERT transaction on the same database. Each figure is also given as a
   ratio to its floor.
5. **Budgets** (`--check`): the issue's targets for PostgreSQL with 1,000,000 tickets.

The micro-benchmarks in bench/*.py (SLA arithmetic, rules engine, search, ...) run after
the HTTP measurements, on the same database, unless `--only` names others.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection

DATA_VERSION = "2"
HTTP_MEASUREMENTS = (
    "floor_view",
    "floor_insert",
    "queue",
    "queue_deep",
    "queue_sla",
    "dashboard",
    "ticket",
    "api_list",
    "search_page",
    "api_create",
)


@dataclass
class Options:
    tickets: int = 100_000
    quick: bool = False
    fresh: bool = False
    only: list[str] = field(default_factory=list)
    seconds: float = 5.0  # per throughput measurement
    repetitions: int = 200  # per latency measurement
    workers: int = 2
    clients: int = 4  # concurrent clients for page throughput
    create_clients: int = 8
    output: Path | None = None
    keep: bool = True

    @classmethod
    def quick_run(cls, **kw: Any) -> Options:
        base = {"tickets": 2_000, "quick": True, "seconds": 0.5, "repetitions": 15, "keep": False}
        return cls(**(base | kw))

    def wants(self, name: str) -> bool:
        return not self.only or name in self.only


@dataclass
class Figure:
    name: str
    label: str
    unit: str  # "ms" (latency: value = median) or "/s" (throughput)
    value: float
    p95: float | None = None
    queries: int | None = None
    floor: str = ""  # the floor it is compared with
    ratio: float | None = None  # value / floor (throughput) or floor / value (latency)
    samples: int = 0
    errors: int = 0
    note: str = ""


@dataclass
class Run:
    options: Options
    figures: list[Figure] = field(default_factory=list)
    environment: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def get(self, name: str) -> Figure | None:
        return next((f for f in self.figures if f.name == name), None)


# --- the database ----------------------------------------------------------------------------


def release_connections() -> None:
    """Close this process's connection and, on PostgreSQL, its pool before the connection is
    pointed at another database. Django's create_test_db closes the connection but not the
    pool, whose connections stay on the database they were opened on: without this, the
    throwaway databases' data went into the benchmark database."""
    connection.close()
    close_pool = getattr(connection, "close_pool", None)
    if close_pool is not None:
        close_pool()


@contextmanager
def throwaway_database(label: str) -> Iterator[None]:
    """Django's test-database machinery on a scratch database, migrated, then dropped: a
    temporary SQLite file, or `tuki_bench_<label>_<pid>` on the configured PostgreSQL server.
    For the micro-benchmarks in bench/*.py, which build their own data."""
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        folder = tempfile.mkdtemp(prefix=f"tuki-bench-{label}-")
        connection.settings_dict["TEST"]["NAME"] = str(Path(folder) / "bench.sqlite3")
    else:
        connection.settings_dict["TEST"]["NAME"] = f"tuki_bench_{label}_{os.getpid()}"
    release_connections()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        release_connections()
        connection.creation.destroy_test_db(old_name, verbosity=0)


def bench_database(options: Options, say: Callable[[str], None]) -> str:
    """Switch this process to the benchmark's own database; return its URL for the server."""
    settings_dict = connection.settings_dict
    suffix = "_benchq" if options.quick else "_bench"
    if connection.vendor == "sqlite":
        name = str(Path(settings.VAR_DIR) / f"tuki{suffix}.sqlite3")
        url = f"sqlite:///{name}"
    else:
        name = f"{settings_dict['NAME']}{suffix}"
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "localhost"
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        url = f"postgres://{auth}{host}{port}/{name}"
    settings_dict["TEST"]["NAME"] = name
    keep = not options.fresh and _has_data(name, options)
    say(f"database: {connection.vendor} {name} ({'kept' if keep else 'new'})")
    release_connections()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=keep)
    return url


def _has_data(name: str, options: Options) -> bool:
    """Whether the benchmark database exists with this data set (same N, same generator)."""
    from django.db import connections

    probe = connections["default"].settings_dict.copy()
    probe["NAME"] = name
    try:
        if connection.vendor == "sqlite":
            if not Path(name).exists():
                return False
            import sqlite3

            with sqlite3.connect(name) as db:
                rows = dict(db.execute("SELECT key, value FROM tuki_bench_meta").fetchall())
        else:
            import psycopg

            kwargs = {
                "dbname": name,
                "user": probe.get("USER") or None,
                "password": probe.get("PASSWORD") or None,
                "host": probe.get("HOST") or None,
                "port": probe.get("PORT") or None,
            }
            with psycopg.connect(**{k: v for k, v in kwargs.items() if v}) as db:
                rows = dict(db.execute("SELECT key, value FROM tuki_bench_meta").fetchall())
    except Exception:
        return False
    return rows.get("tickets") == str(options.tickets) and rows.get("version") == DATA_VERSION


def drop_bench_database(bench_name: str, old_name: str) -> None:
    """Drop the benchmark's database (by its own name: never whatever the connection names
    now) and point the connection back at the configured one."""
    if not (bench_name.endswith("_bench.sqlite3") or bench_name.endswith("_benchq.sqlite3")):
        if not (bench_name.endswith("_bench") or bench_name.endswith("_benchq")):
            raise RuntimeError(f"refusing to drop {bench_name!r}: not a benchmark database")
    release_connections()
    connection.settings_dict["NAME"] = bench_name
    connection.creation.destroy_test_db(old_name, verbosity=0)


def ensure_data(options: Options, say: Callable[[str], None]) -> dict[str, Any]:
    from tuki.core import benchdata

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS tuki_bench_meta (key varchar(50) PRIMARY KEY, value text)"
        )
        cursor.execute("SELECT key, value FROM tuki_bench_meta")
        meta = dict(cursor.fetchall())
    if meta.get("tickets") == str(options.tickets) and meta.get("version") == DATA_VERSION:
        say(f"data: {options.tickets:,} tickets, loaded before")
        return json.loads(meta.get("load", "{}"))
    say(f"data: loading {options.tickets:,} tickets ...")
    loaded = benchdata.load(options.tickets, progress=lambda line: say(f"  {line}"))
    figures = benchdata.describe(loaded)
    started = time.perf_counter()
    benchdata.analyse()  # before anything reads: a planner without statistics scans it all
    figures["analyse_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    clocks = start_sla(loaded.open_ids)
    figures["sla_clocks"] = clocks
    figures["sla_seconds"] = round(time.perf_counter() - started, 1)
    figures |= index_for_search(say)
    started = time.perf_counter()
    benchdata.vacuum()
    figures["vacuum_seconds"] = round(time.perf_counter() - started, 1)
    figures["rich_ticket_ids"] = loaded.rich_ids[:50]
    say(
        f"  {figures['tickets']:,} tickets, {figures['comments']:,} comments, "
        f"{figures['events']:,} events in {figures['seconds']} s "
        f"({figures['rows_per_second']:,} rows/s); SLA clocks for {len(loaded.open_ids):,} "
        f"open tickets in {figures['sla_seconds']} s"
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tuki_bench_meta")
        for key, value in (
            ("tickets", str(options.tickets)),
            ("version", DATA_VERSION),
            ("load", json.dumps(figures)),
        ):
            cursor.execute("INSERT INTO tuki_bench_meta (key, value) VALUES (%s, %s)", [key, value])
    return figures


def index_for_search(say: Callable[[str], None]) -> dict[str, Any]:
    """The tickets into the search index, in bulk (what `tuki search_reindex` does)."""
    from django.apps import apps

    if not apps.is_installed("tuki.search"):
        return {}
    from tuki.search import documents

    say("  indexing the tickets for search ...")
    started = time.perf_counter()
    written = documents.rebuild(documents.TICKET)
    seconds = round(time.perf_counter() - started, 1)
    say(f"  {written:,} tickets indexed in {seconds} s")
    return {"search_documents": written, "search_index_seconds": seconds}


def start_sla(open_ids: list[int]) -> int:
    """An office calendar and a policy; the SLA engine starts the open tickets' clocks."""
    from tuki.calendars.models import Calendar
    from tuki.sla import services as sla_services
    from tuki.sla.models import SlaPolicy, SlaTarget

    office, _ = Calendar.objects.get_or_create(
        name="Bench office",
        defaults={
            "time_zone": "Europe/Helsinki",
            "week": {d: [["08:00", "16:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
            "holiday_country": "FI",
        },
    )
    policy, created = SlaPolicy.objects.get_or_create(
        name="Bench standard", defaults={"order": 100, "calendar": office}
    )
    if created:
        minutes = {1: (30, 60, 240), 2: (60, 120, 480), 3: (120, 240, 1440)}
        minutes |= {4: (240, 480, 2880), 5: (480, 960, 7200)}
        for priority, (first, following, resolution) in minutes.items():
            SlaTarget.objects.create(
                policy=policy,
                priority=priority,
                first_response_minutes=first,
                next_response_minutes=following,
                resolution_minutes=resolution,
            )
    sla_services.recompute_tickets(open_ids, why="benchmark data")
    from tuki.sla.models import SlaClock

    return SlaClock.objects.count()


# --- the server and the clients -----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(url: str, options: Options, say: Callable[[str], None]) -> Iterator[int]:
    port = free_port()
    env = dict(os.environ, TUKI_DATABASE_URL=url, TUKI_DEBUG="false")
    command = [sys.executable, "-m", "tuki", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(options.workers), "--log-level", "warning"]
    process = subprocess.Popen(command, env=env)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status, _ = request(port, "GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the benchmark server did not start")
            time.sleep(0.2)
        say(f"server: tuki serve --workers {options.workers} on port {port}")
        yield port
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


class Client:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, port: int, headers: dict[str, str]):
        self.port = port
        self.headers = headers
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def send(self, method: str, path: str, body: bytes | None = None) -> int:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            return 0
        return response.status

    def close(self) -> None:
        self.conn.close()


def request(port: int, method: str, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


Target = Callable[[int], tuple[str, str, bytes | None]]  # i -> (method, path, body)


def latency(
    port: int, headers: dict[str, str], target: Target, repetitions: int, ok: tuple[int, ...]
) -> tuple[list[float], int]:
    client = Client(port, headers)
    try:
        for i in range(min(20, repetitions)):  # warm the workers' caches and connections
            client.send(*target(i))
        samples, errors = [], 0
        for i in range(repetitions):
            method, path, body = target(i)
            started = time.perf_counter()
            status = client.send(method, path, body)
            samples.append(time.perf_counter() - started)
            errors += status not in ok
        return samples, errors
    finally:
        client.close()


def throughput(
    port: int,
    headers: dict[str, str],
    target: Target,
    clients: int,
    seconds: float,
    ok: tuple[int, ...],
) -> tuple[float, int, int]:
    """Requests per second from `clients` concurrent connections over `seconds`."""
    done = [0] * clients
    failed = [0] * clients
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def work(n: int) -> None:
        client = Client(port, headers)
        i = n * 1_000_000
        start.wait()
        while time.perf_counter() < stop_at[0]:
            status = client.send(*target(i))
            i += 1
            if status in ok:
                done[n] += 1
            else:
                failed[n] += 1
        client.close()

    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return sum(done) / elapsed, sum(done), sum(failed)


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


# --- what is measured -------------------------------------------------------------------------


@dataclass
class Scene:
    """The people and tickets the measurements use, found in the loaded data."""

    agent_id: int
    session_key: str
    token: str
    group_id: int
    deep_page: int
    rich_numbers: list[str]
    requester_ids: list[int]
    search_words: list[str]


def scene(data: dict[str, Any]) -> Scene:
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client as DjangoClient

    from tuki.accounts.models import ApiToken, SupportGroup
    from tuki.tickets.models import ACTIVE_CATEGORIES, Ticket

    busiest = (
        Ticket.objects.filter(status__category__in=ACTIVE_CATEGORIES, group__tier=2)
        .values("group")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    group = (
        SupportGroup.objects.get(pk=busiest["group"]) if busiest else SupportGroup.objects.first()
    )
    assert group is not None, "no groups in the benchmark data"
    agent = group.members.order_by("id").first()
    assert agent is not None
    django_client = DjangoClient()
    django_client.force_login(agent)
    session_key = django_client.cookies[settings.SESSION_COOKIE_NAME].value
    _token, raw = ApiToken.mint(agent)
    open_in_group = busiest["n"] if busiest else 0
    pages = max(1, -(-open_in_group // 50))
    rich = data.get("rich_ticket_ids") or list(
        Ticket.objects.filter(status__category__in=ACTIVE_CATEGORIES).values_list("id", flat=True)[
            :20
        ]
    )
    numbers = [t.number for t in Ticket.objects.filter(pk__in=rich)]
    User = get_user_model()
    requesters = list(
        User.objects.filter(is_agent=False, email__endswith="@client.bench.example")
        .order_by("id")
        .values_list("id", flat=True)[:500]
    )
    return Scene(
        agent_id=agent.pk,
        session_key=session_key,
        token=raw,
        group_id=group.pk,
        deep_page=max(1, min(pages, 20)),
        rich_numbers=numbers or ["INC-1"],
        requester_ids=requesters,
        search_words=["outlook", "printer", "vpn client", "teams crashing", "password reset"],
    )


def page_targets(s: Scene) -> dict[str, tuple[str, Target, tuple[int, ...]]]:
    def get(path: str) -> Target:
        return lambda i: ("GET", path, None)

    queue = f"/desk/tickets/?group={s.group_id}&state=active&sort=priority"
    numbers = s.rich_numbers

    def create(i: int) -> tuple[str, str, bytes | None]:
        body = {
            "title": f"Benchmark ticket {i}: cannot open shared drive",
            "description": "Created by tuki bench over the API.",
            "requester": s.requester_ids[i % len(s.requester_ids)] if s.requester_ids else None,
            "impact": 3,
            "urgency": 2,
        }
        return "POST", "/api/v1/tickets", json.dumps(body).encode()

    return {
        "floor_view": ("trivial view (/healthz), the floor", get("/healthz"), (200,)),
        "queue": ("queue: open tickets of a group, page 1", get(queue), (200,)),
        "queue_deep": (
            f"queue: page {s.deep_page}",
            get(f"{queue}&page={s.deep_page}"),
            (200,),
        ),
        "queue_sla": (
            "queue: by SLA deadline (at risk first)",
            get(f"/desk/tickets/?group={s.group_id}&state=active&sort=deadline"),
            (200,),
        ),
        "dashboard": ("agent dashboard", get("/desk/"), (200,)),
        "ticket": (
            "ticket page, 30 timeline entries",
            lambda i: ("GET", f"/desk/tickets/{numbers[i % len(numbers)]}/", None),
            (200,),
        ),
        "api_list": (
            "API: open tickets of a group, 50",
            get(f"/api/v1/tickets?group={s.group_id}&status_category=open&limit=50"),
            (200,),
        ),
        "search_page": (
            "search page: a word across tickets and articles",
            lambda i: ("GET", f"/search/?q={quote(s.search_words[i % 5])}", None),
            (200,),
        ),
        "api_create": ("API: create a ticket", create, (201,)),
    }


def count_queries(
    s: Scene, targets: dict[str, tuple[str, Target, tuple[int, ...]]]
) -> dict[str, int]:
    """SQL queries per request, on the same database, through Django's test client."""
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    client = DjangoClient(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = s.session_key
    counts: dict[str, int] = {}
    for name, (_label, target, ok) in targets.items():
        if name == "api_create":
            continue  # counted below without leaving a ticket behind twice
        method, path, body = target(0)
        if name == "floor_view":
            client.cookies.clear()
        elif name.startswith("api_"):
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {s.token}"
        client.get(path)  # warm (content types, translations)
        with CaptureQueriesContext(connection) as ctx:
            response = client.generic(method, path, body or b"", content_type="application/json")
        if response.status_code in ok:
            counts[name] = len(ctx.captured_queries)
        client.cookies[settings.SESSION_COOKIE_NAME] = s.session_key
        client.defaults.pop("HTTP_AUTHORIZATION", None)
    # A warm process: the first creation fills the per-process caches (tuki/configcache).
    for i in range(2):
        method, path, body = targets["api_create"][1](i)
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(
                path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {s.token}"
            )
    if response.status_code == 201:
        counts["api_create"] = len(ctx.captured_queries)
    return counts


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
    with server(url, options, say) as port:
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
            elif floor_rate:
                figure.floor, figure.ratio = "floor_view", figure_rate / floor_rate
            run.figures.append(figure)
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
    from django.urls import NoReverseMatch, reverse

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
        text += f"  {f.ratio:.0%} of floor"
    if f.note:
        text += f"  ({f.note})"
    if f.errors:
        text += f"  [{f.errors} errors]"
    return "  " + text


# --- budgets ----------------------------------------------------------------------------------

# (figure, statistic, comparison, limit): the targets for PostgreSQL, 1,000,000 tickets.
BUDGETS = [
    ("queue", "p95", "<=", 50.0),
    ("ticket", "p95", "<=", 60.0),
    ("api_create", "value", ">=", 300.0),
    ("search_page", "p95", "<=", 100.0),
    ("queue_throughput", "ratio", ">=", 0.30),
    ("ticket_throughput", "ratio", ">=", 0.30),
]


def check(run: Run) -> list[str]:
    misses = []
    for name, stat, op, limit in BUDGETS:
        figure = run.get(name)
        if figure is None:
            misses.append(f"{name}: not measured")
            continue
        value = getattr(figure, stat)
        if value is None:
            misses.append(f"{name}: no {stat}")
            continue
        passed = value <= limit if op == "<=" else value >= limit
        if not passed:
            misses.append(f"{name} {stat} = {value:.2f}, budget {op} {limit:g}")
    return misses


# --- the record -------------------------------------------------------------------------------


# PostgreSQL settings that change the figures, recorded with every run.
SERVER_SETTINGS = (
    "shared_buffers",
    "work_mem",
    "effective_cache_size",
    "synchronous_commit",
    "autovacuum",
    "max_connections",
    "jit",
)


def environment() -> dict[str, Any]:
    import django

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            database = cursor.fetchone()[0]
            cursor.execute(
                "SELECT name, setting, unit FROM pg_settings WHERE name = ANY(%s)",
                [list(SERVER_SETTINGS)],
            )
            server = {name: f"{value}{unit or ''}" for name, value, unit in cursor.fetchall()}
        else:
            cursor.execute("SELECT 'SQLite ' || sqlite_version()")
            database = cursor.fetchone()[0]
            server = {}
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = line.split(":", 1)[1].strip()
    except OSError:
        pass
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.machine(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database,
        "vendor": connection.vendor,
        "settings": {
            "CONN_MAX_AGE": connection.settings_dict.get("CONN_MAX_AGE"),
            "DEBUG": settings.DEBUG,
            "TASKS": settings.TASKS["default"]["BACKEND"],
        },
        "server": server,
        "commit": _commit(),
    }


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=settings.BASE_DIR,
            check=False,
        )
        return out.stdout.strip()
    except OSError:
        return ""


def write(run: Run) -> Path:
    folder = run.options.output or Path(settings.BASE_DIR) / "bench" / "results"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    kind = "quick" if run.options.quick else f"{run.options.tickets}"
    path = folder / f"{stamp}-{connection.vendor}-{kind}.json"
    record = {
        "environment": run.environment,
        "options": {
            k: str(v) if isinstance(v, Path) else v for k, v in asdict(run.options).items()
        },
        "data": run.data,
        "figures": [asdict(f) for f in run.figures],
        "budgets": [
            {"figure": n, "statistic": s, "op": o, "limit": lim} for n, s, o, lim in BUDGETS
        ],
        "misses": run.misses,
    }
    path.write_text(json.dumps(record, indent=2, default=str) + "\n")
    return path


def table(run: Run) -> str:
    lines = [
        f"{'measurement':<52} {'median':>10} {'p95':>10} {'per second':>12} {'queries':>8} {'vs floor':>9}"
    ]
    for f in run.figures:
        if f.name.endswith("_throughput"):
            continue
        through = run.get(f"{f.name}_throughput")
        rate = through.value if through else (f.value if f.unit == "/s" else None)
        ratio = through.ratio if through else f.ratio
        if f.unit == "ms":
            first = f"{f.value:.1f} ms"
        elif f.unit == "/s":
            first = ""
        else:
            first = f"{f.value:,.1f} {f.unit}".strip()
        lines.append(
            f"{f.label[:52]:<52} "
            f"{first:>10} "
            f"{(f'{f.p95:.1f} ms' if f.p95 is not None else ''):>10} "
            f"{(f'{rate:,.0f}' if rate is not None else ''):>12} "
            f"{(str(f.queries) if f.queries is not None else ''):>8} "
            f"{(f'{ratio:.0%}' if ratio is not None else ''):>9}"
        )
    return "\n".join(lines)


# --- profiling ----------------------------------------------------------------------------------


def profile(data: dict[str, Any], name: str, repetitions: int, say: Callable[[str], None]) -> None:
    """Run one target in-process under cProfile and print where the time goes.

    Django's test client on the benchmark database, no server: the figures are the view's own
    (no HTTP, no second process), which is what a profile of a slow page needs.
    """
    import cProfile
    import io
    import pstats

    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

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
