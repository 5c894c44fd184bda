"""`tuki serve`: the web application (granian, WSGI; static files by whitenoise)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tuki.server.serving import serve


def add_server_arguments(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="Address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="Port to listen on (default: %(default)s)"
    )


class Command(BaseCommand):
    help = "Serve Tuki over HTTP (granian, WSGI). --with-worker also runs the task worker."

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_server_arguments(parser)
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Run the background task worker in this process too (small installs).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Web processes (default 1). More than one needs a separate `tuki worker`.",
        )
        parser.add_argument(
            "--log-level",
            default="info",
            choices=["critical", "error", "warning", "info", "debug"],
            help="Server log level (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] > 1 and options["with_worker"]:
            raise CommandError("--with-worker needs --workers 1; run `tuki worker` apart.")
        serve(
            options["host"],
            options["port"],
            with_worker=options["with_worker"],
            workers=options["workers"],
            log_level=options["log_level"],
        )
