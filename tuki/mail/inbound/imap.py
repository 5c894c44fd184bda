"""One poll of an IMAP mailbox: fetch, ingest, and only then flag or move each message.

A message is marked processed (flagged \\Seen, or moved to the processed folder) after the
database committed what it did. A crash or a database outage in between leaves it unmarked,
so the next poll takes it again and ingestion's unique key makes that a no-op: nothing is
lost and nothing is done twice.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from dataclasses import dataclass

from django.conf import settings
from imap_tools import BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import MailboxLoginError, UnexpectedCommandStatusError

from tuki.lib import crypto
from tuki.mail import conf, services
from tuki.mail.inbound import leases
from tuki.mail.models import ImapSecurity, Mailbox

logger = logging.getLogger(__name__)

TIMEOUT = 60  # seconds per IMAP command, unless TUKI_IMAP_TIMEOUT says otherwise


def timeout() -> float:
    return float(getattr(settings, "IMAP_TIMEOUT", TIMEOUT))


IMAP_ERRORS = (
    imaplib.IMAP4.error,
    MailboxLoginError,
    UnexpectedCommandStatusError,
    OSError,  # includes socket.timeout and ssl.SSLError
    crypto.DecryptionError,  # the password was saved with a key that is not configured
)
SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


@dataclass
class PollResult:
    ingested: int = 0
    more_waiting: bool = False
    error: str = ""
    skipped: str = ""

    @property
    def summary(self) -> str:
        if self.skipped:
            return self.skipped
        text = f"{self.ingested} message(s)"
        return f"{text}; error: {self.error}" if self.error else text


def connect(mailbox: Mailbox) -> BaseMailBox:
    password = crypto.require(mailbox.imap_password, "IMAP password")  # before connecting
    host, port = mailbox.imap_host, mailbox.imap_port
    if mailbox.imap_security == ImapSecurity.SSL:
        client: BaseMailBox = MailBox(
            host, port, timeout=timeout(), ssl_context=ssl.create_default_context()
        )
    elif mailbox.imap_security == ImapSecurity.STARTTLS:
        client = MailBoxStartTls(
            host, port, timeout=timeout(), ssl_context=ssl.create_default_context()
        )
    else:
        client = MailBoxUnencrypted(host, port, timeout=timeout())
    return client.login(mailbox.imap_user, password, initial_folder=mailbox.imap_folder)


def poll(mailbox: Mailbox) -> PollResult:
    """Take up to a batch of waiting messages, holding the mailbox's lease throughout."""
    token = leases.claim_lease(mailbox.pk)
    if token is None:
        return PollResult(skipped="another worker is polling this mailbox")
    result = PollResult()
    try:
        with connect(mailbox) as client:
            _take_waiting(client, mailbox, token, result)
    except services.TransientError as exc:
        result.error = f"database unavailable: {exc}"
    except IMAP_ERRORS as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    finally:
        leases.release_lease(mailbox.pk, token, error=result.error)
    if result.error:
        logger.warning("polling %s: %s", mailbox.name, result.error)
    return result


def _take_waiting(client: BaseMailBox, mailbox: Mailbox, token: str, result: PollResult) -> None:
    uids = waiting_uids(client, mailbox)
    batch = conf.poll_batch()
    result.more_waiting = len(uids) > batch
    for uid in uids[:batch]:
        fetched = fetch(client, uid)
        if fetched is None:
            continue  # deleted meanwhile
        raw, size = fetched
        services.ingest_message(raw, mailbox, size=size)  # commits, or raises TransientError
        services.checkpoint("poll.after_commit")
        mark_processed(client, mailbox, uid)
        result.ingested += 1
        if not leases.renew_lease(mailbox.pk, token):
            result.error = "lost the lease to another worker"
            return


def waiting_uids(client: BaseMailBox, mailbox: Mailbox) -> list[str]:
    # With a processed folder every message left in the inbox waits; otherwise unseen ones.
    criteria = "UNDELETED" if mailbox.processed_folder else "(UNSEEN UNDELETED)"
    return client.uids(criteria)


def fetch(client: BaseMailBox, uid: str) -> tuple[bytes, int] | None:
    """The message's exact bytes and size, without setting \\Seen; only the headers of an
    oversized message (ingestion refuses it, and nobody downloads 2 GB to do so)."""
    size = _size(client, uid)
    if size is None:
        return None
    part = "BODY.PEEK[HEADER]" if size > conf.max_message_size() else "BODY.PEEK[]"
    raw = _fetch_part(client, uid, part)
    return None if raw is None else (raw, size)


def _size(client: BaseMailBox, uid: str) -> int | None:
    status, data = client.client.uid("FETCH", uid, "(RFC822.SIZE)")
    for item in data or []:
        found = SIZE.search(item if isinstance(item, bytes) else b"")
        if found:
            return int(found.group(1))
    return None


def _fetch_part(client: BaseMailBox, uid: str, part: str) -> bytes | None:
    status, data = client.client.uid("FETCH", uid, f"({part})")
    if status != "OK":
        raise imaplib.IMAP4.error(f"FETCH {uid} failed: {data!r}")
    for item in data or []:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def mark_processed(client: BaseMailBox, mailbox: Mailbox, uid: str) -> None:
    if mailbox.processed_folder:
        client.move(uid, mailbox.processed_folder)
    else:
        client.flag(uid, "\\Seen", True)
