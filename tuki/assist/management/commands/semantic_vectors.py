"""`tuki semantic_vectors`: compute every missing or stale semantic vector (an existing
desk, a new model), in batches; safe to run again (docs/assist.md, Semantic search)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tuki.assist import embeddings, semantic


class Command(BaseCommand):
    help = "Compute the semantic vectors of tickets and knowledge articles that lack one."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=500, help="Tickets read at a time.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not embeddings.available():
            raise CommandError(
                "Semantic search is off: install tuki[semantic] (uv sync --extra semantic) "
                "and leave TUKI_SEMANTIC_SEARCH on."
            )
        started = time.monotonic()
        done = semantic.recompute(max(1, options["batch"]), echo=self.stdout.write)
        for kind, n in done.items():
            self.stdout.write(f"{kind}: {n} vectors computed")
        self.stdout.write(f"in {time.monotonic() - started:.1f} s")
