"""`tuki search_reindex [--kind ticket|article]`: rebuild the search index from the data."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from tuki.search import documents


class Command(BaseCommand):
    help = "Rebuild the search index of tickets and knowledge articles."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--kind", choices=documents.KINDS, action="append", help="Only this kind (repeatable)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for kind in options["kind"] or documents.KINDS:
            started = time.monotonic()
            written = documents.rebuild(kind)
            self.stdout.write(f"{kind}: {written} documents in {time.monotonic() - started:.1f} s")
