"""Mail to requesters about their tickets: planned with the change, sent by a task.

1. A ticket event (tickets/signals.py `event_recorded`, inside the service's transaction)
   plans an OutboundMessage row: recipients, From, Message-ID and threading headers. The row
   commits or rolls back with the change, so no mail is promised for a change that failed.
2. After commit a task (sending.send_outbound) claims the row, composes the message
   (compose.compose_ticket_email) and sends it over SMTP. A failure is retried with a
   growing delay, then marked failed; the ticket page shows it.
3. Mail is never sent to the desk's own addresses, to bouncing addresses, in answer to an
   automatic message, or as more than N acknowledgements per address and hour.
"""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from tuki.lib import taskqueue
from tuki.mail import conf, reasons
from tuki.mail.inbound.senders import desk_addresses
from tuki.mail.models import (
    BouncingAddress,
    InboundMessage,
    InboundStatus,
    Mailbox,
    OutboundMessage,
    OutboundStatus,
)
from tuki.mail.outbound.sending import send_outbound
from tuki.tickets import access
from tuki.tickets.models import ActorKind, Channel, EventAction, StatusCategory, Ticket, TicketEvent


@dataclass(frozen=True)
class Ingesting:
    """The message being taken in right now, for the mail its changes would send."""

    mailbox: Mailbox | None
    is_auto: bool
    message_id: str


ingesting: contextvars.ContextVar[Ingesting | None] = contextvars.ContextVar(
    "tuki_mail_ingesting", default=None
)


def what_for(event: TicketEvent) -> str:
    """Which mail (compose's `what`) an event sends, or "" for none."""
    ticket = event.ticket
    if event.action == EventAction.CREATED:
        return "created" if ticket.channel in (Channel.EMAIL, Channel.WEB) else ""
    if event.action == EventAction.REPLY and event.comment is not None:
        comment = event.comment
        author = comment.author
        by_agent = author is not None and (author.is_agent or author.is_superuser)
        # An automation rule's public reply has no author; it is the desk answering.
        by_rule = author is None and event.actor_kind == ActorKind.RULE
        return "reply" if (by_agent or by_rule) and not comment.is_internal else ""
    if event.action == EventAction.RESOLUTION:
        return "resolved"
    if event.action == EventAction.STATUS and ticket.status.category == StatusCategory.CLOSED:
        # The requester who confirmed the resolution needs no mail about it.
        confirmed = event.actor_id is not None and event.actor_id == ticket.requester_id
        return "" if confirmed or ticket.merged_into_id else "closed"
    return ""


def plan(event: TicketEvent, what: str) -> OutboundMessage | None:
    """Record the mail an event sends; call inside the service's transaction."""
    ticket = event.ticket
    requester = ticket.requester
    if not requester.email:
        return None
    mailbox, from_email = sender_for(ticket)
    copied, not_copied = watcher_addresses(ticket)
    outbound = OutboundMessage(
        ticket=ticket,
        comment=event.comment if what == "reply" else None,
        what=what,
        mailbox=mailbox,
        from_email=from_email,
        to_address=requester.email.lower(),
        cc=",".join(copied),
        message_id=new_message_id(from_email),
        subject=f"[{ticket.number}] {ticket.title}"[:255],
    )
    outbound.in_reply_to, references = thread_headers(ticket)
    outbound.references = " ".join(references)
    outbound.status, outbound.reason = OutboundStatus.PENDING, ""
    if not_copied:
        addresses = ", ".join(not_copied)
        outbound.reason = reasons.english(reasons.NOT_COPIED, addresses=addresses)
    reason = why_not_send(outbound)
    if reason:
        outbound.status, outbound.reason = OutboundStatus.SKIPPED, reason
    outbound.save()
    if outbound.status == OutboundStatus.PENDING:
        taskqueue.enqueue_with_change(send_outbound, outbound.pk)
    return outbound


def why_not_send(outbound: OutboundMessage) -> str:
    """Why this mail must not go out, or "" when it may."""
    current = ingesting.get()
    if current is not None and current.is_auto:
        return reasons.AUTO_REPLY
    own = desk_addresses()
    if outbound.to_address in own:
        return reasons.TO_THE_DESK
    bouncing = set(BouncingAddress.objects.values_list("address", flat=True))
    if outbound.to_address in bouncing:
        return reasons.english(reasons.BOUNCES, address=outbound.to_address)
    outbound.cc = ",".join(a for a in outbound.cc_list if a not in own and a not in bouncing)
    if outbound.what == "created" and over_ack_limit(outbound.to_address):
        return reasons.ACK_LIMIT
    return ""


def over_ack_limit(address: str) -> bool:
    since = timezone.now() - timedelta(hours=1)
    sent = OutboundMessage.objects.filter(
        to_address=address,
        what="created",
        created_at__gte=since,
        status__in=(OutboundStatus.PENDING, OutboundStatus.SENDING, OutboundStatus.SENT),
    ).count()
    return sent >= conf.ack_limit_per_hour()


def watcher_addresses(ticket: Ticket) -> tuple[list[str], list[str]]:
    """Requester-side watchers to copy, and those left out because they may not see the
    ticket now (a restricted ticket, an organisation they left): mail never shows a ticket
    to someone the app would answer with a 404. Agents follow the ticket in Tuki, not by mail.
    """
    watchers = ticket.watchers.filter(is_active=True, is_agent=False, is_superuser=False)
    requester = ticket.requester.email.lower()
    copied: set[str] = set()
    left_out: set[str] = set()
    for watcher in watchers:
        address = watcher.email.lower()
        if not address or address == requester:
            continue
        (copied if access.may_see(watcher, ticket) else left_out).add(address)
    return sorted(copied), sorted(left_out - copied)


def sender_for(ticket: Ticket) -> tuple[Mailbox | None, str]:
    """The mailbox the ticket came in through (or is being taken in through), else EMAIL_FROM."""
    current = ingesting.get()
    mailbox = current.mailbox if current is not None else None
    if mailbox is None:
        first = (
            InboundMessage.objects.filter(ticket=ticket, mailbox__is_active=True)
            .select_related("mailbox")
            .order_by("received_at", "id")
            .first()
        )
        mailbox = first.mailbox if first else None
    if mailbox is None:
        return None, settings.DEFAULT_FROM_EMAIL
    name = mailbox.from_name or parseaddr(settings.DEFAULT_FROM_EMAIL)[0]
    return mailbox, formataddr((name, mailbox.address)) if name else mailbox.address


def new_message_id(from_email: str) -> str:
    """Unique and unguessable; without the angle brackets, as parsed ids are stored."""
    domain = parseaddr(from_email)[1].rpartition("@")[2] or "tuki.invalid"
    return f"tuki.{uuid.uuid4().hex}@{domain}"


def thread_headers(ticket: Ticket) -> tuple[str, list[str]]:
    """In-Reply-To (the latest message of the ticket) and References (oldest first, capped)."""
    current = ingesting.get()
    dated: list[tuple[datetime, str]] = []
    for at, message_id in (
        # Only mail the ticket took in: a held or rejected message's id must not become
        # part of the thread (its writer's unproven reply would be threaded by our own mail).
        InboundMessage.objects.filter(ticket=ticket, status=InboundStatus.PROCESSED)
        .exclude(message_id="")
        .values_list("received_at", "message_id")
    ):
        dated.append((at, message_id))
    sent = OutboundMessage.objects.filter(ticket=ticket).exclude(status=OutboundStatus.SKIPPED)
    dated += list(sent.values_list("created_at", "message_id"))
    ids = [message_id for _at, message_id in sorted(dated, key=lambda d: d[0])]
    if current is not None and current.message_id and current.message_id not in ids:
        ids.append(current.message_id)  # the message being taken in is the newest
    if not ids:
        return "", []
    references = ids[:1] + ids[1:][-9:]  # the thread's root and the last few (RFC 5322 3.6.4)
    return ids[-1], references


def plan_notice(
    ticket: Ticket,
    *,
    to_address: str,
    subject: str,
    text: str,
    html: str = "",
    what: str = "notice",
    auto_submitted: str = "auto-generated",
) -> OutboundMessage | None:
    """Mail about a ticket to anyone but through the requester flow: an agent's notification,
    an approver's request, a rule's email. Call inside the transaction that causes it.

    The message is composed now (the caller renders it in the recipient's language) and
    stored byte for byte; the same task sends it with the same retries, and the same
    refusals apply (the desk's own addresses, bouncing addresses, answers to automatic mail).
    Returns None when there is no address.
    """

    address = (to_address or "").strip().lower()
    if not address:
        return None
    mailbox, from_email = sender_for(ticket)
    outbound = OutboundMessage(
        ticket=ticket,
        what=what[:20],
        mailbox=mailbox,
        from_email=from_email,
        to_address=address,
        message_id=new_message_id(from_email),
        subject=subject.replace("\r", " ").replace("\n", " ")[:255],
        status=OutboundStatus.PENDING,
    )
    message = EmailMultiAlternatives(
        subject=outbound.subject,
        body=text,
        from_email=from_email,
        to=[address],
        headers={"Message-ID": f"<{outbound.message_id}>", "Auto-Submitted": auto_submitted},
    )
    if html:
        message.attach_alternative(html, "text/html")
    outbound.raw = message.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]  # django-stubs types Django 6's message(); 5.2 returns a SafeMIME* whose as_bytes takes linesep
    reason = why_not_send(outbound)
    if reason:
        outbound.status, outbound.reason = OutboundStatus.SKIPPED, reason
    outbound.save()
    if outbound.status == OutboundStatus.PENDING:
        taskqueue.enqueue_with_change(send_outbound, outbound.pk)
    return outbound
