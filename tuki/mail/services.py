"""Taking in one email: exactly once, into the right ticket, or into quarantine with a reason.

1. Parse (parsing.parse_message never raises) and derive the message's key: its Message-ID,
   or the SHA-256 of its bytes when it has none.
2. In one transaction: insert the InboundMessage row (the key is unique, so a second copy of
   the message, even from a racing worker, stops here), then do the ticket work in a
   savepoint (inbound/intake.py). A refusal rolls the ticket work back and keeps the row as
   quarantined with its reason; an unexpected error does the same, so bad input never
   blocks a mailbox. Only a database outage (TransientError) leaves nothing behind, for a
   retry: the IMAP message is flagged after the commit, the MTA gets exit code 75.
3. A message held for lack of proof (intake.Held) waits for an agent: `accept_held` applies it
   as the reply it claims to be, `reject_held` drops it. One held because no service desk
   group exists yet is taken in by `release_waiting` once one does (receivers.py).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.lib.errors import ServiceError
from tuki.mail import conf, reasons
from tuki.mail.inbound import intake
from tuki.mail.inbound.outcome import Outcome
from tuki.mail.inbound.parsing import ParsedMessage, parse_message
from tuki.mail.inbound.senders import Refused
from tuki.mail.models import InboundMessage, InboundStatus, Mailbox
from tuki.mail.outbound import planning

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)
DUPLICATE = "duplicate"


class TransientError(Exception):
    """Nothing was written; try the same message again later (the database is unavailable)."""


@dataclass
class IngestResult:
    status: str  # processed, quarantined, ignored, or duplicate (taken in before)
    inbound: InboundMessage

    @property
    def ticket_number(self) -> str:
        ticket = self.inbound.ticket if self.inbound.ticket_id else None
        return ticket.number if ticket else ""

    @property
    def reason(self) -> str:
        return self.inbound.reason


class _AlreadyTaken(Exception):
    pass


def checkpoint(name: str) -> None:
    """A named point of ingestion; tests replace this to simulate a crash right there."""


def message_key(message_id: str, digest: str) -> str:
    if message_id:
        return "m:" + hashlib.sha256(message_id.encode("utf-8", "replace")).hexdigest()
    return "r:" + digest


def ingest_message(
    raw: bytes, mailbox: Mailbox | None = None, *, size: int | None = None
) -> IngestResult:
    """Take in one message. `size` is the full size when `raw` holds only the headers."""
    try:
        return _ingest(raw, mailbox, len(raw) if size is None else size)
    except TRANSIENT as exc:
        raise TransientError(str(exc)) from exc


def _ingest(raw: bytes, mailbox: Mailbox | None, size: int) -> IngestResult:
    if size > conf.max_message_size():
        raw = header_part(raw)
    parsed = scrub(parse_message(raw))
    key = message_key(parsed.message_id, parsed.digest)
    existing = InboundMessage.objects.filter(key=key).select_related("ticket").first()
    if existing is not None:
        return IngestResult(DUPLICATE, existing)
    checkpoint("ingest.before_claim")  # another worker may take the message right here
    try:
        with transaction.atomic():
            inbound = _claim(key, parsed, size, mailbox)
            _process(inbound, parsed)
            checkpoint("ingest.before_commit")
    except _AlreadyTaken:
        return IngestResult(DUPLICATE, InboundMessage.objects.get(key=key))
    except TRANSIENT:
        raise
    except Exception as exc:  # not even the row could be stored: keep the bytes, say why
        logger.exception("cannot store inbound message %s", key)
        return IngestResult(InboundStatus.QUARANTINED, _unstorable(key, parsed, size, mailbox, exc))
    return IngestResult(inbound.status, inbound)


def _unstorable(
    key: str, parsed: ParsedMessage, size: int, mailbox: Mailbox | None, exc: Exception
) -> InboundMessage:
    """A poison message must not block its mailbox: quarantine it with the bare minimum."""
    with transaction.atomic():
        return InboundMessage.objects.create(
            key=key,
            mailbox=mailbox,
            digest=parsed.digest,
            size=size,
            raw=parsed.raw,
            status=InboundStatus.QUARANTINED,
            reason_code="error",
            reason=reasons.english(reasons.NOT_STORED, error=type(exc).__name__),
        )


def scrub(parsed: ParsedMessage) -> ParsedMessage:
    """Drop NUL characters, which PostgreSQL refuses in text, from every text value."""
    for item in [parsed, *parsed.attachments]:
        for name, value in vars(item).items():
            if isinstance(value, str) and "\x00" in value:
                setattr(item, name, value.replace("\x00", ""))
            elif isinstance(value, list) and any(isinstance(v, str) and "\x00" in v for v in value):
                setattr(
                    item, name, [v.replace("\x00", "") if isinstance(v, str) else v for v in value]
                )
    return parsed


def header_part(raw: bytes) -> bytes:
    """The header block of a message (all of it when there is no body separator)."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        end = raw.find(separator)
        if end >= 0:
            return raw[: end + len(separator)]
    return raw[:65536]


def _claim(key: str, parsed: ParsedMessage, size: int, mailbox: Mailbox | None) -> InboundMessage:
    try:
        with transaction.atomic():
            return InboundMessage.objects.create(
                key=key,
                mailbox=mailbox,
                message_id=parsed.message_id[:255],
                digest=parsed.digest,
                from_address=parsed.from_address[:255],
                subject=parsed.subject[:255],
                size=size,
                raw=parsed.raw,
                status=InboundStatus.QUARANTINED,  # until processing says otherwise
                is_auto=bool(parsed.auto_reasons or parsed.is_bounce),
            )
    except IntegrityError:
        raise _AlreadyTaken from None


def _process(
    inbound: InboundMessage, parsed: ParsedMessage, accepted_by: User | None = None
) -> None:
    """Do the ticket work in a savepoint and record its outcome on the row."""
    context = planning.Ingesting(inbound.mailbox, inbound.is_auto, parsed.message_id[:255])
    token = planning.ingesting.set(context)
    try:
        with transaction.atomic():
            outcome = intake.route(
                parsed, inbound.mailbox, complete=inbound.is_complete, accepted_by=accepted_by
            )
    except intake.Held as held:
        outcome = Outcome(InboundStatus.HELD, code=held.code, reason=held.reason)
        outcome.ticket = held.ticket
    except Refused as refused:
        outcome = Outcome(InboundStatus.QUARANTINED, code=refused.code, reason=refused.message)
    except TRANSIENT:
        raise
    except Exception as exc:  # bad input must never block the mailbox: quarantine it
        logger.exception("cannot process inbound message %s", inbound.key)
        message = getattr(exc, "message", "") or str(exc) or type(exc).__name__
        outcome = Outcome(
            InboundStatus.QUARANTINED,
            code=getattr(exc, "code", "") or "error",
            reason=reasons.english(reasons.NOT_PROCESSED, error=message),
        )
    finally:
        planning.ingesting.reset(token)
    _record(inbound, outcome)


def _record(inbound: InboundMessage, outcome: Outcome) -> None:
    inbound.status = outcome.status
    inbound.action = outcome.action
    inbound.reason_code = str(outcome.code)[:40]
    inbound.reason = outcome.reason
    inbound.ticket = outcome.ticket
    inbound.comment = outcome.comment
    inbound.proof = outcome.proof
    inbound.proof_detail = outcome.proof_detail[:255]
    inbound.processed_at = timezone.now()
    inbound.save(
        update_fields=[
            "status",
            "action",
            "reason_code",
            "reason",
            "ticket",
            "comment",
            "proof",
            "proof_detail",
            "reviewed_by",
            "processed_at",
        ]
    )


def reprocess(inbound: InboundMessage) -> IngestResult:
    """Try a quarantined message again (an admin fixed what refused it)."""
    try:
        with transaction.atomic():
            row = InboundMessage.objects.select_for_update().get(pk=inbound.pk)
            if row.status != InboundStatus.QUARANTINED:
                return IngestResult(DUPLICATE, row)
            _process(row, scrub(parse_message(bytes(row.raw))))
    except TRANSIENT as exc:
        raise TransientError(str(exc)) from exc
    return IngestResult(row.status, row)


def accept_held(actor: User, inbound: InboundMessage) -> IngestResult:
    """An agent vouches for a held message: it is taken in as its sender's (the caller checked
    that the actor may review it: mail/access.py)."""
    try:
        with transaction.atomic():
            row = InboundMessage.objects.select_for_update().get(pk=inbound.pk)
            if row.status != InboundStatus.HELD:
                raise ServiceError(
                    _("This message is no longer waiting for review."), code="not_held"
                )
            row.reviewed_by = actor
            _process(row, scrub(parse_message(bytes(row.raw))), accepted_by=actor)
    except TRANSIENT as exc:
        raise TransientError(str(exc)) from exc
    return IngestResult(row.status, row)


def reject_held(actor: User, inbound: InboundMessage) -> InboundMessage:
    """An agent drops a held message: nothing is done with it; the row stays, as a record."""
    with transaction.atomic():
        row = InboundMessage.objects.select_for_update().get(pk=inbound.pk)
        if row.status != InboundStatus.HELD:
            raise ServiceError(_("This message is no longer waiting for review."), code="not_held")
        row.status = InboundStatus.REJECTED
        row.reviewed_by = actor
        row.reason = reasons.english(
            reasons.REJECTED, name=(actor.get_full_name() or actor.email)[:200]
        )
        row.processed_at = timezone.now()
        row.save(update_fields=["status", "reviewed_by", "reason", "processed_at"])
    return row


def release_waiting() -> int:
    """Take in the messages that waited for a service desk group; returns how many were
    taken in. Those that still cannot be stay held."""
    waiting = InboundMessage.objects.filter(status=InboundStatus.HELD, reason_code="no_desk")
    done = 0
    for pk in waiting.order_by("received_at", "id").values_list("pk", flat=True):
        try:
            with transaction.atomic():
                row = InboundMessage.objects.select_for_update().get(pk=pk)
                if row.status != InboundStatus.HELD or row.reason_code != "no_desk":
                    continue
                _process(row, scrub(parse_message(bytes(row.raw))))
        except TRANSIENT as exc:
            raise TransientError(str(exc)) from exc
        if row.reason_code != "no_desk":
            done += 1
    return done
