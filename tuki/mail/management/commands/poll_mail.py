"""`tuki poll_mail [--once] [--mailbox NAME]`: start the polling of IMAP mailboxes.

Without --once: makes sure every active IMAP mailbox has its self-rescheduling poll task
queued for the worker (saving a mailbox does this too; use it after restoring a database).
With --once: polls now, in this process, and prints what each poll did (for cron set-ups
without a worker, and for trying a mailbox's settings).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuki.mail.inbound import imap, polling
from tuki.mail.models import Mailbox


class Command(BaseCommand):
    help = "Start (or with --once, run) the polling of IMAP mailboxes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Poll now, in this process.")
        parser.add_argument("--mailbox", default="", help="Only the mailbox with this name.")

    def handle(self, *args: Any, **options: Any) -> None:
        mailboxes = Mailbox.objects.filter(is_active=True).exclude(imap_host="")
        if options["mailbox"]:
            mailboxes = mailboxes.filter(name=options["mailbox"])
            if not mailboxes.exists():
                raise CommandError(f"no active IMAP mailbox named {options['mailbox']!r}")
        if not options["once"]:
            started = sum(polling.ensure_polling(m.pk) for m in mailboxes)
            self.stdout.write(f"{started} polling chain(s) started")
            return
        failed = False
        for mailbox in mailboxes:
            result = imap.poll(mailbox)
            failed = failed or bool(result.error)
            self.stdout.write(f"{mailbox.name}: {result.summary}")
        if failed:
            raise CommandError("some mailboxes could not be polled", returncode=75)
