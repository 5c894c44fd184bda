"""`tuki backup FILE`: the database and the uploaded files in one archive (backup/dumping.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tuki.backup.archive import BackupError
from tuki.backup.dumping import backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one archive (progress on stderr)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="The archive to write (a .tar.gz).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            backup(Path(options["file"]), progress=_stderr)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
