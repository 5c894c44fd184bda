"""`tuki clear_raw_mail [--days N]`: clear the raw bytes of old inbound mail (privacy/retention.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from tuki.privacy.retention import clear_raw_mail


class Command(BaseCommand):
    help = "Clear the raw bytes of inbound mail older than TUKI_RAW_MAIL_RETENTION_DAYS."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Keep this many days instead of the setting ({settings.RAW_MAIL_RETENTION_DAYS}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cleared = clear_raw_mail(days=options["days"])
        self.stdout.write(f"raw mail cleared: {cleared} messages")
