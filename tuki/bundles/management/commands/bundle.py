"""`tuki bundle export [-o FILE]` and `tuki bundle import FILE [--apply]` (docs/customisation.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuki.bundles import services
from tuki.lib.errors import ServiceError


class Command(BaseCommand):
    help = "Export the configuration as one file, or import one (a preview unless --apply)."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        export = commands.add_parser("export", help="write the bundle (stdout by default)")
        export.add_argument("-o", "--output", help="file to write")
        load = commands.add_parser("import", help="preview a bundle, or write it with --apply")
        load.add_argument("file", help="the bundle (JSON); - reads stdin")
        load.add_argument("--apply", action="store_true", help="write it (all or nothing)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            text = services.dumps(services.export_bundle())
            if options.get("output"):
                Path(options["output"]).write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text, ending="")
            return
        source = options["file"]
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        try:
            bundle = services.read_bundle(text)
        except ServiceError as error:
            raise CommandError(error.message) from error
        report = services.import_bundle(bundle, apply=options["apply"])
        for change in report.changes:
            fields = f" ({', '.join(change.fields)})" if change.fields else ""
            self.stdout.write(f"{change.action:7} {change.label} {change.key}{fields}")
        for warning in report.warnings:
            self.stdout.write(f"warning {warning}")
        summary = (
            f"{len(report.created)} to create, {len(report.updated)} to update, "
            f"{report.unchanged} unchanged"
        )
        if report.problems:
            for problem in report.problems:
                self.stderr.write(f"problem {problem}")
            raise CommandError(f"Nothing was written: {len(report.problems)} problems. {summary}.")
        self.stdout.write(("Written: " if report.applied else "Preview (use --apply): ") + summary)
