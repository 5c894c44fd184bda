"""`tuki alert_source NAME --user EMAIL [--group NAME] [--rotate]`: make an alert source (or
give an existing one a new token) and print its token, shown this once."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tuki.accounts.models import SupportGroup, User
from tuki.lib.errors import ServiceError
from tuki.monitoring import services
from tuki.monitoring.models import AlertSource


class Command(BaseCommand):
    help = "Create an alert source (or rotate its token) and print the token."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--user", default="", help="Email of the person it acts as.")
        parser.add_argument("--group", default="", help="Support group for its incidents.")
        parser.add_argument("--rotate", action="store_true", help="A new token for a source.")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"]
        if options["rotate"]:
            source = AlertSource.objects.filter(name=name).first()
            if source is None:
                raise CommandError(f"No alert source {name!r}.")
            self.stdout.write(services.rotate_token(None, source))
            return
        user = User.objects.filter(email__iexact=options["user"]).first()
        if user is None:
            raise CommandError("--user: no person with this email.")
        group = None
        if options["group"]:
            group = SupportGroup.objects.filter(name=options["group"]).first()
            if group is None:
                raise CommandError("--group: no such support group.")
        try:
            _source, raw = services.create_source(None, name=name, user=user, group=group)
        except ServiceError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from None
        self.stdout.write(raw)
