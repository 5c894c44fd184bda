"""`tuki demo`: a first run in one command: database, demo data, logins, server + worker."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from tuki.demo.cast import logins
from tuki.demo.loader import load_demo
from tuki.server.management.commands.serve import add_server_arguments
from tuki.server.serving import serve


class Command(BaseCommand):
    help = "Create the database, load demo data if it holds no tickets, and serve with a worker."

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_server_arguments(parser)
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare the database and stop there."
        )
        parser.add_argument("--seed", type=int, default=2024, help="Random seed of the demo data.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        self.stdout.flush()
        call_command("migrate", interactive=False, verbosity=0)
        started = time.monotonic()
        summary = load_demo(seed=options["seed"], progress=self.progress)
        if summary is None:
            self.stdout.write("The database already holds tickets: no demo data loaded.")
        else:
            took = time.monotonic() - started
            self.stdout.write(f"Loaded {summary['tickets']} demo tickets in {took:.0f} s.")
        self.print_logins(options["host"], options["port"])
        if not options["no_serve"]:
            serve(options["host"], options["port"], with_worker=True)

    def progress(self, line: str) -> None:
        self.stdout.write(f"  {line}")
        self.stdout.flush()

    def print_logins(self, host: str, port: int) -> None:
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Tuki demo: http://{shown}:{port}"))
        self.stdout.write("Sign in as (demo passwords, never use them for real data):")
        for role, email, password in logins():
            self.stdout.write(f"  {role:<38} {email:<32} {password}")
        self.stdout.write("")
