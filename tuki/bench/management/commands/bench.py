"""`tuki bench`: the benchmark suite — a large desk, a real server, figures, floors and budgets.

    tuki bench                      100,000 tickets on the configured database's server
    tuki bench --tickets 1000000    a million (PostgreSQL: COPY; loads in minutes)
    tuki bench --quick              a small run (the test suite runs this on every CI run)
    tuki bench impact --cis 100000  impact analysis on a CMDB of 100,000 items (cmdb.py)
    tuki bench --only queue ticket  some measurements (names: --list)
    tuki bench --check              exit 1 when a budget (docs/performance.md) is missed
    tuki bench --database URL       another database server (default: the configured one)
    tuki bench --profile ticket     where one page's time goes (cProfile, in-process, no server)

The data lives in the benchmark's own database beside the configured one, never in it
(tuki/bench/database.py says where). Results print as a table and are written as JSON under
bench/results/ (or --output). Besides the HTTP measurements, every bench/<name>.py module
with `run(seconds) -> Iterable[(label, value, unit)]` runs on the same database.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from types import ModuleType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tuki.bench import (
    alerts,
    assist_replay,
    call_assist,
    changes,
    cmdb,
    database,
    impact,
    intake,
    live,
    loading,
    measure,
    profiling,
    report,
    report_year,
)
from tuki.bench.options import (
    ALERTS,
    ASSIST,
    CMDB,
    HTTP_MEASUREMENTS,
    IN_PROCESS,
    INTAKE,
    LIVE,
    Figure,
    Options,
    Run,
)

# What the micro-benchmarks build in a --quick run (environment variables they read).
QUICK_SIZES = {
    "TUKI_BENCH_QUICK": "1",
    "TUKI_BENCH_SLA_TICKETS": "300",
    "TUKI_BENCH_SEARCH_ARTICLES": "300",
    "TUKI_BENCH_SEARCH_TICKETS": "1000",
    "TUKI_BENCH_RULES_TICKETS": "100",
}


def bench_dir() -> Path:
    return Path(settings.BASE_DIR) / "bench"


def modules_available() -> list[str]:
    return sorted(p.stem for p in bench_dir().glob("*.py") if not p.stem.startswith("_"))


def load(name: str) -> ModuleType:
    path = bench_dir() / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench.{name}", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise CommandError(f"No benchmark {name!r}; there are: {', '.join(everything())}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def everything() -> list[str]:
    return [
        *HTTP_MEASUREMENTS,
        *INTAKE,
        *ALERTS,
        *LIVE,
        *ASSIST,
        *IN_PROCESS,
        *CMDB,
        *modules_available(),
    ]


class Command(BaseCommand):
    help = "Run the benchmark suite: build a large desk, measure through HTTP, print and record."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("names", nargs="*", help="Same as --only.")
        parser.add_argument("--only", nargs="+", default=[], help="Only these measurements.")
        parser.add_argument("--tickets", type=int, default=100_000, help="Tickets (100000).")
        parser.add_argument(
            "--cis",
            type=int,
            default=None,
            help="Configuration items for the impact measurements (100000; 5 relations each).",
        )
        parser.add_argument("--quick", action="store_true", help="A small, fast run (tests).")
        parser.add_argument("--fresh", action="store_true", help="Rebuild the data set.")
        parser.add_argument("--check", action="store_true", help="Fail when a budget is missed.")
        parser.add_argument("--database", default="", help="Database URL (default: configured).")
        parser.add_argument("--seconds", type=float, default=None, help="Per throughput figure.")
        parser.add_argument("--repetitions", type=int, default=None, help="Per latency figure.")
        parser.add_argument("--workers", type=int, default=2, help="Server processes (2).")
        parser.add_argument(
            "--task-workers", type=int, default=2, help="Task worker processes for intake (2)."
        )
        parser.add_argument("--output", type=Path, default=None, help="Folder for the JSON.")
        parser.add_argument("--keep", action="store_true", help="Keep the --quick database.")
        parser.add_argument("--list", action="store_true", help="Name the measurements and stop.")
        parser.add_argument(
            "--profile",
            default="",
            metavar="NAME",
            help="Profile one HTTP measurement in-process (cProfile) instead of measuring.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            self.stdout.write("\n".join(everything()))
            return
        if options["database"] and os.environ.get("TUKI_DATABASE_URL") != options["database"]:
            self._rerun_on(options["database"])
            return
        only = [*options["names"], *options["only"]]
        unknown = sorted(set(only) - set(everything()))
        if unknown:
            raise CommandError(
                f"Unknown: {', '.join(unknown)}; there are: {', '.join(everything())}"
            )
        if options["tickets"] < 100:
            raise CommandError("--tickets must be at least 100.")
        extra: dict[str, Any] = {
            "only": only,
            "fresh": options["fresh"],
            "workers": options["workers"],
            "task_workers": options["task_workers"],
        }
        if options["output"]:
            extra["output"] = options["output"]
        if options["quick"]:
            opts = Options.quick_run(**extra, keep=options["keep"])
        else:
            opts = Options(tickets=options["tickets"], **extra)
        if options["cis"] is not None:
            if options["cis"] < 100:
                raise CommandError("--cis must be at least 100.")
            opts.cis = options["cis"]
        if options["seconds"] is not None:
            opts.seconds = options["seconds"]
        if options["repetitions"] is not None:
            opts.repetitions = options["repetitions"]
        if options["profile"]:
            self.profile(opts, options["profile"], options["repetitions"] or 30)
            return
        self.run(opts, check=options["check"])

    def profile(self, opts: Options, name: str, repetitions: int) -> None:
        if name not in HTTP_MEASUREMENTS or name == "floor_insert":
            raise CommandError(f"--profile takes one of: {', '.join(HTTP_MEASUREMENTS)}")
        old_name = connection.settings_dict["NAME"]
        database.bench_database(opts, self.say)
        bench_name = connection.settings_dict["NAME"]
        try:
            data = loading.ensure_data(opts, self.say)
            profiling.profile(data, name, repetitions, self.say)
        finally:
            if not opts.keep:
                database.drop_bench_database(str(bench_name), old_name)

    def _rerun_on(self, url: str) -> None:
        argv = [a for a in sys.argv[1:]]
        env = dict(os.environ, TUKI_DATABASE_URL=url)
        code = subprocess.call([sys.executable, "-m", "tuki", *argv], env=env)
        if code:
            raise CommandError(f"the benchmark on {url} failed ({code})")

    def run_modules(self, run: Run, loaded: list[tuple[str, ModuleType]]) -> None:
        seconds = run.options.seconds if run.options.quick else min(run.options.seconds, 1.0)
        for name, module in loaded:
            self.say(self.style.MIGRATE_HEADING(name))
            for label, value, unit in module.run(seconds):
                run.figures.append(Figure(f"{name}:{label}", f"{name}: {label}", unit, value))
                self.say(f"  {label:<48} {value:>14,.1f} {unit}")

    def say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def run(self, opts: Options, *, check: bool) -> None:
        started = time.perf_counter()
        old_name = connection.settings_dict["NAME"]
        if opts.quick:  # the micro-benchmarks read their sizes when imported
            for key, value in QUICK_SIZES.items():
                os.environ.setdefault(key, value)
        modules = [n for n in modules_available() if opts.wants(n)]
        loaded = [(name, load(name)) for name in modules]  # fail before building anything
        run = Run(opts)
        http = any(opts.wants(n) for n in HTTP_MEASUREMENTS)
        intake_wanted = any(opts.wants(n) for n in INTAKE)
        alerts_wanted = any(opts.wants(n) for n in ALERTS)
        live_wanted = any(opts.wants(n) for n in LIVE)
        assist_wanted = any(n in opts.only or (not opts.only and not opts.quick) for n in ASSIST)
        in_process = [n for n in IN_PROCESS if opts.wants(n)]
        cmdb_wanted = any(opts.wants(n) for n in CMDB)
        uses_data = any(getattr(m, "USES_BENCH_DATA", False) for _n, m in loaded)
        opts.tickets_needed = bool(
            http or intake_wanted or alerts_wanted or live_wanted or in_process or uses_data
        )
        if not opts.tickets_needed and not cmdb_wanted:
            # Micro-benchmarks that need no data set or make their own: no database here.
            self.run_modules(run, loaded)
            if assist_wanted:
                self.say(self.style.MIGRATE_HEADING("Assist: the UCI log replayed"))
                assist_replay.measure(run, self.say)
                run.environment = report.environment()
                self.say(f"{report.table(run)}\nwritten to {report.write(run)}")
            self.say(f"({time.perf_counter() - started:.1f} s)")
            return
        url = database.bench_database(opts, self.say)
        bench_name = connection.settings_dict["NAME"]
        try:
            run.environment = report.environment()
            if opts.tickets_needed:
                run.data = loading.ensure_data(opts, self.say)
            if cmdb_wanted:
                run.data["cmdb"] = cmdb.ensure(opts.cis, self.say, fresh=opts.fresh)
            if http:
                self.say(self.style.MIGRATE_HEADING("HTTP and database"))
                measure.measure_http(run, url, self.say)
            if intake_wanted:
                self.say(self.style.MIGRATE_HEADING("Intake, with the task workers running"))
                intake.measure(run, url, self.say)
            if alerts_wanted:
                self.say(self.style.MIGRATE_HEADING("Monitoring alerts"))
                alerts.measure(run, url, self.say)
            if live_wanted:
                self.say(self.style.MIGRATE_HEADING("Live pages"))
                live.measure(run, url, self.say)
            if report_year.NAME in in_process:
                self.say(self.style.MIGRATE_HEADING("Reports engine"))
                report_year.measure(run, self.say)
            if any(n in in_process for n in call_assist.NAMES):
                self.say(self.style.MIGRATE_HEADING("Assist at Log a call"))
                call_assist.measure(run, self.say)
            if assist_wanted:
                self.say(self.style.MIGRATE_HEADING("Assist: the UCI log replayed"))
                assist_replay.measure(run, self.say)
            if cmdb_wanted:
                self.say(self.style.MIGRATE_HEADING("Impact analysis"))
                impact.measure(run, self.say)
                if any(opts.wants(n) for n in changes.NAMES):
                    self.say(self.style.MIGRATE_HEADING("Change conflicts"))
                    changes.measure(run, self.say)
            self.run_modules(run, loaded)
            run.misses = report.check(run)
            path = report.write(run)
        finally:
            if not opts.keep:
                database.drop_bench_database(str(bench_name), old_name)
        self.say("")
        self.say(report.table(run))
        self.say(f"\nwritten to {path} ({time.perf_counter() - started:.0f} s in all)")
        if run.misses:
            self.say("budgets missed:" if check else "budgets (not checked):")
            for miss in run.misses:
                self.say(f"  - {miss}")
        if check and run.misses:
            raise CommandError("budgets missed")
