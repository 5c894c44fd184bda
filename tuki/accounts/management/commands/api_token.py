"""`tuki api_token EMAIL [--name NAME] [--days N | --never]`: print a new personal API token,
shown only once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.accounts.services import NEVER
from tuki.accounts.tokens import issue_token
from tuki.lib.errors import ServiceError


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (it cannot be shown again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The user's email address")
        parser.add_argument("--name", default="", help="What the token is for, e.g. 'monitoring'")
        lifetime = parser.add_mutually_exclusive_group()
        lifetime.add_argument(
            "--days", type=int, default=None, help="Lifetime in days (default TUKI_API_TOKEN_DAYS)"
        )
        lifetime.add_argument(
            "--never",
            action="store_true",
            help="Never expires (only if TUKI_API_TOKEN_MAY_NEVER_EXPIRE is on)",
        )

    def handle(
        self, *args: Any, email: str, name: str, days: int | None, never: bool, **options: Any
    ) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(_("No user with the email address %(email)s.") % {"email": email})
        if not user.is_active:
            raise CommandError(
                _("%(email)s is inactive; activate the account first.") % {"email": email}
            )
        try:
            raw = issue_token(user, name=name[:100], days=NEVER if never else days)
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(raw)
        # The token alone goes to stdout so scripts can capture it; the advice to stderr.
        self.stderr.write(
            _(
                "Store it now: only a digest is kept, the token cannot be shown again.\n"
                "Send it as the header  Authorization: Bearer <token>"
            )
        )
