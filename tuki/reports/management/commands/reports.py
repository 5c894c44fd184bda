"""`tuki reports rebuild [--since YYYY-MM-DD]`: recompute tickets' report figures from
their events (after an import, a restore, or a change of how a figure is defined)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuki.reports import facts


class Command(BaseCommand):
    verbosity = 1
    help = "Report figures: `rebuild` recomputes them from the tickets' events."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="Recompute every ticket's figures.")
        rebuild.add_argument(
            "--since", help="Only tickets changed on or after this day (YYYY-MM-DD)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = None
        if options.get("since"):
            try:
                since = date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError("--since takes a date, YYYY-MM-DD.") from None
        self.verbosity = int(options.get("verbosity", 1))
        written = facts.rebuild(since, progress=self._progress)
        self.stdout.write(f"{written} tickets' figures recomputed.")

    def _progress(self, done: int, total: int) -> None:
        if self.verbosity > 1 or (done == total and self.verbosity > 0 and total):
            self.stderr.write(f"{done}/{total}")
