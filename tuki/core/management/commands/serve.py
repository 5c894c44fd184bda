"""`tuki serve`: the web application (uvicorn, static files by whitenoise)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from tuki.core.serving import serve


def add_server_arguments(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="Address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="Port to listen on (default: %(default)s)"
    )


class Command(BaseCommand):
    help = "Serve Tuki over HTTP (ASGI, uvicorn). --with-worker also runs the task worker."

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_server_arguments(parser)
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Run the background task worker in this process too (small installs).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        serve(options["host"], options["port"], with_worker=options["with_worker"])
