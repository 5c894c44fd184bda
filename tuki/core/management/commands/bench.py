"""`tuki bench [NAME ...]`: run the benchmark suite in bench/ and print what it measured.

A benchmark is a module `bench/<name>.py` with

    def run(seconds: float) -> Iterable[tuple[str, float, str]]

yielding (what was measured, value, unit) — e.g. ("deadline 4 h, warm", 52000.0, "/s") —
and spending about `seconds` on each measurement. Django is set up before it runs, so a
benchmark may use the models (on whatever database the settings name). Speed is measured
here, never asserted in tests.
"""

from __future__ import annotations

import importlib.util
import platform
import time
from argparse import ArgumentParser
from pathlib import Path
from types import ModuleType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def bench_dir() -> Path:
    return Path(settings.BASE_DIR) / "bench"


def available() -> list[str]:
    return sorted(p.stem for p in bench_dir().glob("*.py") if not p.stem.startswith("_"))


def load(name: str) -> ModuleType:
    path = bench_dir() / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench.{name}", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise CommandError(f"No benchmark {name!r}; there are: {', '.join(available())}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Command(BaseCommand):
    help = "Run the benchmarks in bench/ (all, or those named) and print their results."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("names", nargs="*", help="Benchmarks to run (default: all).")
        parser.add_argument(
            "--seconds",
            type=float,
            default=1.0,
            help="Time spent on each measurement (default 1).",
        )
        parser.add_argument("--list", action="store_true", help="List the benchmarks and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            self.stdout.write("\n".join(available()))
            return
        names = options["names"] or available()
        modules = [(name, load(name)) for name in names]  # fail before measuring anything
        self.stdout.write(f"Python {platform.python_version()} on {platform.machine()}")
        for name, module in modules:
            self.stdout.write(self.style.MIGRATE_HEADING(name))
            started = time.perf_counter()
            for label, value, unit in module.run(options["seconds"]):
                self.stdout.write(f"  {label:<44} {value:>14,.1f} {unit}")
            self.stdout.write(f"  ({time.perf_counter() - started:.1f} s)")
