"""`tuki cmdb_import FILE --source csv [--class KEY] [--dry-run]`: configuration items from a
CSV file (docs/cmdb.md, "CSV import"). One line per row that was not unchanged, then the
summary; exit 1 when a row failed or conflicted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuki.cmdb import csvfeed, feed
from tuki.cmdb.models import CIClass, DataSource
from tuki.lib.errors import ServiceError


class Command(BaseCommand):
    help = "Create or update configuration items from a CSV file (one item per row)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8; comma or semicolon).")
        parser.add_argument("--source", default="csv", help="The data source's key (csv).")
        parser.add_argument(
            "--class", dest="ci_class", default="", help="Class of rows without a class column."
        )
        parser.add_argument("--dry-run", action="store_true", help="Say what; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        source = DataSource.objects.filter(key=options["source"]).first()
        if source is None:
            known = ", ".join(DataSource.objects.values_list("key", flat=True))
            raise CommandError(f"No data source {options['source']!r}; there are: {known}")
        default_class = None
        if options["ci_class"]:
            default_class = CIClass.objects.filter(key=options["ci_class"]).first()
            if default_class is None:
                known = ", ".join(CIClass.objects.values_list("key", flat=True))
                raise CommandError(f"No class {options['ci_class']!r}; there are: {known}")
        try:
            table = csvfeed.read(options["file"].read_bytes())
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc}") from None
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from None
        columns = ", ".join(f"{c} -> {t}" for c, t in table.mapping.items())
        self.stderr.write(f"columns: {columns}")
        if table.ignored:
            self.stderr.write(f"ignored: {', '.join(table.ignored)}")
        results = feed.run(
            None,
            source,
            table.records(),
            default_class=default_class,
            dry_run=options["dry_run"],
        )
        for result in results:
            if result.status == feed.Status.UNCHANGED and not result.errors:
                continue
            line = f"row {result.index + 1}: {result.status} {result.name}".rstrip()
            if result.changed and result.status != feed.Status.CREATED:
                line += f" ({', '.join(result.changed)})"
            if result.skipped:
                line += f" skipped: {', '.join(result.skipped)}"
            for error in result.errors:
                line += f" [{error.field}: {error.message}]"
            self.stdout.write(line)
        counts = feed.summary(results)
        prefix = "dry run, nothing written: " if options["dry_run"] else ""
        self.stdout.write(prefix + ", ".join(f"{n} {status}" for status, n in counts.items()))
        if counts[feed.Status.ERROR] or counts[feed.Status.CONFLICT]:
            raise SystemExit(1)
