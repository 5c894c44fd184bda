"""Deliver planned OutboundMessages over SMTP (the TUKI_EMAIL_* settings), with retries.

Delivery is at least once: a worker killed after the SMTP server accepted a message but
before the row says so sends it again on retry, with the same Message-ID, which mail
clients treat as one message.
"""

from __future__ import annotations

import contextlib
import email
import email.message
import logging
import smtplib
from datetime import timedelta
from email import policy
from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from tuki.lib import taskqueue
from tuki.mail import conf
from tuki.mail.models import OutboundMessage, OutboundStatus
from tuki.mail.outbound.compose import compose_ticket_email

logger = logging.getLogger(__name__)

STUCK_AFTER = timedelta(minutes=10)  # a "sending" row older than this lost its worker


class StoredEmail(EmailMessage):
    """An already composed message, sent byte for byte through Django's mail backends."""

    def __init__(self, outbound: OutboundMessage):
        super().__init__(
            subject=outbound.subject,
            from_email=outbound.from_email,
            to=[outbound.to_address],
            cc=outbound.cc_list,
        )
        self.raw = bytes(outbound.raw)
        self.body = _plain_text(self.raw)  # for the console and test backends' readers

    def message(self, *, policy: object = None) -> email.message.EmailMessage:
        parsed = email.message_from_bytes(self.raw, _class=_RawMessage, policy=_SMTP_POLICY)
        assert isinstance(parsed, _RawMessage)
        parsed.raw_bytes = self.raw
        return parsed


class _RawMessage(email.message.EmailMessage):
    """Parsed for the backends that read headers; serialised as the very bytes composed."""

    raw_bytes = b""

    def as_bytes(self, unixfrom: bool = False, policy: object = None, linesep: str = "") -> bytes:
        return self.raw_bytes


_SMTP_POLICY = policy.SMTP


def _plain_text(raw: bytes) -> str:
    parsed = email.message_from_bytes(raw, policy=policy.default)
    part = parsed.get_body(("plain",)) if isinstance(parsed, email.message.EmailMessage) else None
    try:
        return part.get_content() if part is not None else ""
    except (LookupError, ValueError):
        return ""


def _send_together(calls: list[tuple[list[Any], dict[str, Any]]]) -> list[str]:
    """Many queued deliveries over one SMTP connection (a mail storm's acknowledgements do
    not open a connection each); each message is still claimed, sent and recorded alone."""
    connection = get_connection(fail_silently=False)
    with contextlib.suppress(smtplib.SMTPException, OSError):
        connection.open()  # if the server is down, each send below fails and is retried alone
    results = []
    try:
        for args, kwargs in calls:
            status = send(args[0] if args else kwargs["outbound_id"], connection)
            if status not in (OutboundStatus.SENT, "not due"):
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    connection.close()  # the next message opens a fresh connection
            results.append(status)
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
    return results


@task()
@taskqueue.batched(_send_together, size=50)
def send_outbound(outbound_id: int) -> str:
    """One delivery attempt of one outbound message, run by the task worker (`tuki worker`)."""
    return send(outbound_id)


def enqueue_send(outbound_id: int, *, delay: timedelta | None = None) -> None:
    """Queue a delivery attempt, after `delay` when the backend can defer tasks."""
    task = send_outbound
    if delay is not None and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + delay)
    elif delay is not None:
        return  # no deferred tasks here (tests): the sweep retries when it is due
    task.enqueue(outbound_id)


def claim(outbound_id: int) -> OutboundMessage | None:
    """Take a due message for this worker alone (conditional update: exactly one row).

    The attempt is counted here, before anything is sent: a worker killed while sending
    has used its attempt (requeue_due gives the message up after the last one)."""
    now = timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    taken = OutboundMessage.objects.filter(
        due, pk=outbound_id, status=OutboundStatus.PENDING
    ).update(
        status=OutboundStatus.SENDING,
        next_attempt_at=now + STUCK_AFTER,
        attempts=F("attempts") + 1,
    )
    return OutboundMessage.objects.filter(pk=outbound_id).first() if taken == 1 else None


def compose(outbound: OutboundMessage) -> bytes:
    message = compose_ticket_email(
        outbound.ticket,
        what=outbound.what,
        comment=outbound.comment,
        to=[outbound.to_address],
        from_email=outbound.from_email,
        message_id=outbound.message_id,
        in_reply_to=outbound.in_reply_to,
        references=outbound.reference_list,
        cc=outbound.cc_list,
    )
    outbound.subject = str(message.subject)[:255]
    return message.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]  # django-stubs types Django 6's message(); 5.2 returns a SafeMIME* whose as_bytes takes linesep


def send(outbound_id: int, connection: Any = None) -> str:
    """One delivery attempt (over `connection`, an open SMTP backend, when given). Returns
    the row's new status."""
    outbound = claim(outbound_id)
    if outbound is None:
        return "not due"
    try:
        if not outbound.raw:
            outbound.raw = compose(outbound)
    except Exception as exc:  # a template or data problem: retrying will not help
        logger.exception("cannot compose outbound message %s", outbound.pk)
        return _finish(outbound, OutboundStatus.FAILED, f"{type(exc).__name__}: {exc}")
    try:
        (connection or get_connection(fail_silently=False)).send_messages([StoredEmail(outbound)])
    except smtplib.SMTPRecipientsRefused as exc:
        return _finish(outbound, OutboundStatus.FAILED, _smtp_error(exc))
    except (smtplib.SMTPException, OSError) as exc:
        return _retry_or_fail(outbound, _smtp_error(exc))
    outbound.sent_at = timezone.now()
    return _finish(outbound, OutboundStatus.SENT, "")


def _smtp_error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _retry_or_fail(outbound: OutboundMessage, error: str) -> str:
    if outbound.attempts >= conf.send_attempts():
        return _finish(outbound, OutboundStatus.FAILED, error)
    delay = backoff(outbound.attempts)
    outbound.next_attempt_at = timezone.now() + delay
    status = _finish(outbound, OutboundStatus.PENDING, error)
    outbound_id = outbound.pk
    transaction.on_commit(lambda: enqueue_send(outbound_id, delay=delay))
    return status


def backoff(attempts: int) -> timedelta:
    """1, 4, 16, 64 minutes ... capped at 6 hours."""
    return timedelta(minutes=min(4 ** (attempts - 1), 360))


def _finish(outbound: OutboundMessage, status: str, error: str) -> str:
    outbound.status = status
    outbound.last_error = error
    if status != OutboundStatus.PENDING:
        outbound.next_attempt_at = None
    outbound.save(
        update_fields=[
            "status",
            "last_error",
            "attempts",
            "raw",
            "subject",
            "sent_at",
            "next_attempt_at",
        ]
    )
    logger.info("outbound %s to %s: %s %s", outbound.pk, outbound.to_address, status, error)
    return status


def requeue_due(limit: int = 100) -> int:
    """Enqueue messages whose retry is due or whose worker vanished (lost enqueue, crash)."""
    now = timezone.now()
    stuck = OutboundMessage.objects.filter(status=OutboundStatus.SENDING, next_attempt_at__lt=now)
    stuck.filter(attempts__gte=conf.send_attempts()).update(
        status=OutboundStatus.FAILED,
        next_attempt_at=None,
        last_error="The worker stopped while sending the last attempt.",
    )
    stuck.update(status=OutboundStatus.PENDING, next_attempt_at=now)
    due = OutboundMessage.objects.filter(
        Q(next_attempt_at__lte=now)
        | Q(next_attempt_at__isnull=True, created_at__lte=now - timedelta(minutes=2)),
        status=OutboundStatus.PENDING,
    ).values_list("pk", flat=True)[:limit]
    ids = list(due)
    for outbound_id in ids:
        enqueue_send(outbound_id)
    return len(ids)


def retry_now(outbound: OutboundMessage) -> None:
    """An admin asks for another attempt of a failed message."""
    OutboundMessage.objects.filter(
        pk=outbound.pk, status__in=(OutboundStatus.FAILED, OutboundStatus.PENDING)
    ).update(status=OutboundStatus.PENDING, next_attempt_at=None, attempts=0)
    outbound_id = outbound.pk
    transaction.on_commit(lambda: enqueue_send(outbound_id))
