"""`tuki rotate_encryption_key`: every stored secret encrypted again with the first key.

Key rotation (tuki/lib/crypto.py): put the new key first in TUKI_ENCRYPTION_KEY (keep the
old one after it), run this, then drop the old key.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tuki.lib import crypto


class Command(BaseCommand):
    help = "Encrypt every stored secret (IMAP passwords, webhook secrets) with the first key."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            rewritten, unreadable = crypto.rotate_all()
        self.stdout.write(f"{rewritten} secrets encrypted with the first key.")
        if unreadable:
            raise CommandError(
                f"{unreadable} secrets open with none of the configured keys and were left "
                "as they are: add the key they were saved with, or enter them again."
            )
