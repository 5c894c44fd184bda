"""`tuki restore FILE [--force]`: a backup into a fresh, migrated database (all or nothing)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tuki.backup.archive import BackupError
from tuki.backup.restoring import restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `tuki backup` into this database, after `tuki migrate`. "
        "Refuses a database that already holds people or tickets unless --force."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="The archive `tuki backup` wrote.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace everything in a database that is not empty.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restore(Path(options["file"]), force=options["force"], progress=_stderr)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
