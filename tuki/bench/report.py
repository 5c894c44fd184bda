"""The budgets (`--check`), the run's record as JSON with its environment, and the table."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.db import connection

from tuki.bench.options import Run

# (figure, statistic, comparison, limit): the targets for PostgreSQL, 1,000,000 tickets.
BUDGETS = [
    ("queue", "p95", "<=", 25.0),
    ("ticket", "p95", "<=", 30.0),
    ("dashboard", "p95", "<=", 40.0),
    ("api_create", "value", ">=", 300.0),
    ("search_page", "p95", "<=", 100.0),
    ("team_dashboard", "p95", "<=", 1000.0),
    ("report_year", "p95", "<=", 1000.0),
    # What one failing item reaches, 100,000 items and 500,000 relations (bench/cmdb.py).
    ("impact", "p95", "<=", 50.0),
    # A change's conflicts among 10,000 changes on 100,000 items (bench/changes.py).
    ("change_conflicts", "p95", "<=", 100.0),
    ("change_free_slots", "p95", "<=", 100.0),
    ("intake_api", "value", ">=", 150.0),
    ("intake_api_lag", "p95", "<=", 2.0),
    ("intake_mail", "value", ">=", 150.0),
    ("intake_mail_lag", "p95", "<=", 2.0),
    # Alertmanager batches of 50, mostly repeats (tuki/bench/alerts.py).
    ("alerts_throughput", "value", ">=", 1000.0),
    # A change reaches all of 200 connected pages within a second (issue 19; bench/live.py).
    ("live", "p95", "<=", 1000.0),
    ("queue_throughput", "ratio", ">=", 0.30),
    ("ticket_throughput", "ratio", ">=", 0.30),
    ("dashboard_throughput", "ratio", ">=", 0.30),
    # Tuki's server at least as fast as a plain Django project under plain gunicorn.
    ("floor_view_throughput", "ratio", ">=", 1.0),
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
        unit = "s" if f.unit == "s" else "ms"
        lines.append(
            f"{f.label[:52]:<52} "
            f"{first:>10} "
            f"{(f'{f.p95:.1f} {unit}' if f.p95 is not None else ''):>10} "
            f"{(f'{rate:,.0f}' if rate is not None else ''):>12} "
            f"{(str(f.queries) if f.queries is not None else ''):>8} "
            f"{(f'{ratio:.0%}' if ratio is not None else ''):>9}"
        )
    return "\n".join(lines)
