"""`tuki import tickets FILE --map column=field ...` and `tuki import servicenow-log FILE`:
another desk's tickets and history (docs/importing.md). Progress on stderr, the summary on
stdout; run again after a failure or a kill to import the rest."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO
from zoneinfo import ZoneInfoNotFoundError

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuki.imports import servicenow, ticketcsv
from tuki.imports.directory import Directory
from tuki.imports.models import ImportedRecord
from tuki.imports.plans import Clock, Source
from tuki.imports.services import BATCH, Summary, after_import, run_import

SHOWN_BAD_ROWS = 50
SOURCE_LENGTH = ImportedRecord._meta.get_field("source").max_length or 50


class Command(BaseCommand):
    help = "Import tickets from a CSV file, or incidents with their history from a ServiceNow log."

    def add_arguments(self, parser: CommandParser) -> None:
        formats = parser.add_subparsers(dest="format", required=True)
        log = formats.add_parser(
            "servicenow-log", help="A ServiceNow incident event log (one row per update)."
        )
        tickets = formats.add_parser("tickets", help="A CSV file of tickets, one per row.")
        tickets.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help=f"Which column holds which field ({', '.join(ticketcsv.FIELDS)}); repeatable. "
            "Columns named like a field are taken without one.",
        )
        tickets.add_argument(
            "--source",
            default=ticketcsv.SOURCE,
            help="Name of the source system (the external ids are unique within it).",
        )
        for sub in (log, tickets):
            sub.add_argument("file", help="The CSV file (UTF-8).")
            sub.add_argument(
                "--dry-run", action="store_true", help="Read and check; write nothing."
            )
            sub.add_argument(
                "--batch",
                type=int,
                default=BATCH,
                help="Tickets per transaction (default %(default)s).",
            )
            sub.add_argument(
                "--time-zone",
                default=settings.TIME_ZONE,
                help="Time zone of the file's dates without one (default: the desk's).",
            )
            sub.add_argument(
                "--date-format",
                action="append",
                default=[],
                help="strptime format of the file's dates (repeatable; ISO 8601 is always read).",
            )
            sub.add_argument(
                "--no-progress", action="store_true", help="No progress line on stderr."
            )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        fmt = options["format"]
        try:
            with open(options["file"], encoding="utf-8-sig", newline="") as stream:
                source, directory = self._read(fmt, stream, options)
                summary = run_import(
                    source,
                    directory,
                    batch=max(1, options["batch"]),
                    dry_run=options["dry_run"],
                    progress=None if options["no_progress"] else _progress,
                )
        except (OSError, ValueError, ZoneInfoNotFoundError) as error:
            raise CommandError(str(error)) from error
        if not options["no_progress"]:
            print(file=sys.stderr)
        written = time.monotonic()
        follow = None if options["no_progress"] else _progress
        follow_up = sorted(summary.unfinished + summary.ticket_ids)
        indexed = 0 if summary.dry_run else after_import(follow_up, follow)
        if follow is not None and indexed:
            print(file=sys.stderr)
        self._report(summary, indexed, written - started, time.monotonic() - written)

    def _read(self, fmt: str, stream: TextIO, options: dict[str, Any]) -> tuple[Source, Directory]:
        if fmt == "servicenow-log":
            clock = Clock(options["time_zone"], (*options["date_format"], *servicenow.DATE_FORMATS))
            directory = Directory(servicenow.SOURCE)
            return servicenow.source(stream, directory, clock), directory
        if not 0 < len(options["source"]) <= SOURCE_LENGTH:
            raise ValueError(f"--source: 1 to {SOURCE_LENGTH} characters")
        clock = Clock(options["time_zone"], tuple(options["date_format"]))
        directory = Directory(options["source"])
        mapping = ticketcsv.parse_mapping(options["map"])
        return ticketcsv.source(stream, directory, clock, mapping, options["source"]), directory

    def _report(self, summary: Summary, indexed: int, seconds: float, indexing: float) -> None:
        out = self.stdout.write
        out(
            f"{'Checked' if summary.dry_run else 'Imported'} from {summary.source} in {seconds:.1f} s"
        )
        out(f"  rows read:              {summary.rows_read}")
        out(f"  tickets in the source:  {summary.records}")
        out(f"  imported now:           {summary.imported} ({summary.events} events)")
        out(f"  already there:          {summary.already}")
        out(f"  bad rows skipped:       {len(summary.bad_rows)}")
        out(f"  records with no usable row: {len(summary.skipped)}")
        for kind, count in sorted(summary.created.items()):
            out(f"  {kind} created: {count}")
        if not summary.dry_run:
            out(f"  report facts and search index: {indexed} tickets in {indexing:.1f} s")
        for bad in summary.bad_rows[:SHOWN_BAD_ROWS]:
            out(f"  line {bad.line}: {bad.reason}")
        if len(summary.bad_rows) > SHOWN_BAD_ROWS:
            out(f"  ... and {len(summary.bad_rows) - SHOWN_BAD_ROWS} more bad rows")
        if summary.skipped:
            out(f"  skipped (no usable row): {', '.join(summary.skipped[:SHOWN_BAD_ROWS])}")
        if not summary.dry_run and not summary.reconciled:
            raise CommandError("imported + already there does not match the source")


def _progress(done: int, total: int) -> None:
    share = done / total if total else 1
    bar = "#" * int(share * 30)
    print(f"\r[{bar:<30}] {done}/{total} tickets", end="", file=sys.stderr, flush=True)
