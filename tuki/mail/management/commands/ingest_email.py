"""`tuki ingest_email [--mailbox NAME] [FILE|-]`: one message from the MTA (pipe delivery).

Prints the ticket number the message created or updated. Exit codes follow sysexits.h, as
MTAs expect: 0 done (also for a message taken in before), 75 EX_TEMPFAIL try again later
(database unavailable, unknown mailbox name: the MTA keeps the message queued), 65
EX_DATAERR refused (kept in Tuki's quarantine with the reason; the MTA bounces it).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuki.mail import conf, services
from tuki.mail.models import InboundStatus, Mailbox

EX_DATAERR = 65
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Take in one email message (RFC 5322) from a file or standard input."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mailbox", default="", help="Name of the mailbox it arrived at.")
        parser.add_argument("file", nargs="?", default="-", help="Message file, or - for stdin.")

    def handle(self, *args: Any, **options: Any) -> None:
        mailbox = self._mailbox(options["mailbox"])
        raw, size = self._read(options["file"])
        try:
            result = services.ingest_message(raw, mailbox, size=size)
        except services.TransientError as exc:
            raise CommandError(f"try again later: {exc}", returncode=EX_TEMPFAIL) from exc
        if result.status == InboundStatus.QUARANTINED:
            raise CommandError(f"refused: {result.reason}", returncode=EX_DATAERR)
        if result.status == InboundStatus.HELD:  # kept: it waits for an agent, not the MTA
            self.stderr.write(f"held: {result.reason}")
            return
        if result.ticket_number:
            self.stdout.write(result.ticket_number)
        elif result.reason:
            self.stderr.write(result.reason)

    def _mailbox(self, name: str) -> Mailbox | None:
        if not name:
            return None
        try:
            return Mailbox.objects.get(name=name, is_active=True)
        except Mailbox.DoesNotExist:
            # Deferred, not bounced: the mail waits in the MTA's queue until this is fixed.
            raise CommandError(
                f"no active mailbox named {name!r}", returncode=EX_TEMPFAIL
            ) from None
        except Exception as exc:  # the database is down: the MTA retries later
            raise CommandError(f"try again later: {exc}", returncode=EX_TEMPFAIL) from exc

    def _read(self, name: str) -> tuple[bytes, int]:
        """The message, reading at most the size limit plus one byte to learn it is too large."""
        limit = conf.max_message_size()
        try:
            if name == "-":
                return _read_capped(sys.stdin.buffer, limit)
            with Path(name).open("rb") as stream:
                return _read_capped(stream, limit)
        except OSError as exc:
            raise CommandError(f"cannot read {name}: {exc}", returncode=EX_TEMPFAIL) from exc


def _read_capped(stream: Any, limit: int) -> tuple[bytes, int]:
    raw = stream.read(limit + 1)
    size = len(raw)
    if size > limit:
        while chunk := stream.read(1 << 20):  # drain, so the MTA sees the whole message read
            size += len(chunk)
    return raw, size
