"""`tuki api_token EMAIL [--name NAME]`: print a new personal API token, shown only once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.accounts.tokens import issue_token


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (it cannot be shown again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The user's email address")
        parser.add_argument("--name", default="", help="What the token is for, e.g. 'monitoring'")

    def handle(self, *args: Any, email: str, name: str, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(_("No user with the email address %(email)s.") % {"email": email})
        if not user.is_active:
            raise CommandError(
                _("%(email)s is inactive; activate the account first.") % {"email": email}
            )
        raw = issue_token(user, name=name[:100])
        self.stdout.write(raw)
        # The token alone goes to stdout so scripts can capture it; the advice to stderr.
        self.stderr.write(
            _(
                "Store it now: only a digest is kept, the token cannot be shown again.\n"
                "Send it as the header  Authorization: Bearer <token>"
            )
        )
