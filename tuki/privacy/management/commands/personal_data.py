"""`tuki personal_data export EMAIL FILE` and `tuki personal_data erase EMAIL --confirm EMAIL`.

`--by ADMIN_EMAIL` names the administrator who asked for the erasure: it is recorded as
theirs and checked against their rights, as on the page.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from tuki.accounts.models import User
from tuki.lib.errors import ServiceError
from tuki.privacy import export, services


class Command(BaseCommand):
    help = "Export or erase everything Tuki holds about one person."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        out = sub.add_parser("export", help="Write the person's data as a ZIP.")
        out.add_argument("email")
        out.add_argument("file")
        erase = sub.add_parser("erase", help="Anonymise the person for good.")
        erase.add_argument("email")
        erase.add_argument("--confirm", required=True, help="The same email address again.")
        erase.add_argument("--by", required=True, help="The administrator who asked for it.")

    def handle(self, *args: Any, **options: Any) -> None:
        person = User.objects.filter(email__iexact=options["email"]).first()
        if person is None:
            raise CommandError(f"No user has the address {options['email']}.")
        if options["action"] == "export":
            path = Path(options["file"])
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as out:
                out.write(export.export_zip(person))
            self.stdout.write(f"written: {path}")
            return
        actor = User.objects.filter(email__iexact=options["by"], is_active=True).first()
        if actor is None:
            raise CommandError(f"No active administrator has the address {options['by']}.")
        try:
            erasure = services.erase_person(actor, person, confirm=options["confirm"])
        except (ServiceError, PermissionDenied) as exc:
            raise CommandError(str(getattr(exc, "message", exc))) from exc
        self.stdout.write(f"erased: user #{erasure.person_id} {erasure.counts}")
