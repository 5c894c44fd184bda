"""What one parsed message does to tickets, through the ticket services only.

Decisions (docs/email.md):
- a message Tuki sent, or mail from the desk's own address, is ignored (a loop);
- a bounce of Tuki's mail is an internal note on its ticket and marks the address bouncing;
- a reply joins its ticket (threads.py) only when the sender may see that ticket;
  anyone else quoting a ticket number gets a new ticket of their own;
- an automatic message (auto_reasons) on a ticket is an internal note: it neither wakes the
  ticket nor reopens it; elsewhere it may open a ticket, which is never acknowledged;
- a requester's reply to a resolved ticket reopens it; to a closed ticket it reopens it or
  opens a follow-up linked "related", by the mailbox's setting;
- agents' replies are public, or internal notes when their groups may not write to requesters;
- a message counts as from its From address only with proof (inbound/proof.py). Without it, a
  reply to a ticket, and anything "from" someone who works at the desk, is held for an agent
  (Held): nothing is done as anyone. A new ticket may still be opened (the mailbox's policy).
  Cc'd people become watchers only of a proven message, and only when they may see the ticket;
- a message that would open a ticket before any service desk group exists is held too, and
  taken in once there is one (mail/services.py release_waiting).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.lib.errors import ServiceError
from tuki.mail import conf, reasons
from tuki.mail.inbound import bounces, proof, threads
from tuki.mail.inbound.outcome import Outcome
from tuki.mail.inbound.parsing import ParsedMessage
from tuki.mail.inbound.proof import Proven
from tuki.mail.inbound.senders import (
    Refused,
    desk_addresses,
    known_recipients,
    resolve_sender,
    user_by_address,
)
from tuki.mail.models import ClosedReplies, InboundStatus, Mailbox, OutboundMessage, Proof
from tuki.tickets import access, services as tickets
from tuki.tickets.models import (
    ActorKind,
    Channel,
    Kind,
    LinkType,
    StatusCategory,
    Ticket,
)

MAX_ATTACHMENTS = 100


class Held(Exception):
    """The message waits for an agent (or for the desk to be set up); nothing was done."""

    def __init__(self, code: str, reason: str, ticket: Ticket | None = None):
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.ticket = ticket


def route(
    parsed: ParsedMessage,
    mailbox: Mailbox | None,
    *,
    complete: bool = True,
    accepted_by: User | None = None,
) -> Outcome:
    """What the message does. `accepted_by`: the agent who accepted it as its sender's."""
    if not complete:
        limit = settings_max_mb()
        raise Refused(
            "too_large",
            reasons.english(reasons.TOO_LARGE, limit=limit),
        )
    if (
        parsed.message_id
        and OutboundMessage.objects.filter(message_id=parsed.message_id[:255]).exists()
    ):
        return Outcome(
            InboundStatus.IGNORED,
            "loop",
            code="own_message",
            reason=reasons.OWN_MESSAGE,
        )
    if parsed.is_bounce:
        return bounces.handle(parsed)
    if parsed.from_address.lower() in desk_addresses():
        return Outcome(
            InboundStatus.IGNORED,
            "loop",
            code="own_address",
            reason=reasons.OWN_ADDRESS,
        )
    if accepted_by is not None:
        name = accepted_by.get_full_name() or accepted_by.email
        proven: Proven | None = Proven(Proof.AGENT, name[:255])
    else:
        proven = proof.sender_proof(parsed, mailbox)
    ticket = threads.find_ticket(parsed.subject, parsed.in_reply_to, parsed.references)
    ticket = ticket or proof.token_ticket(parsed)
    if proven is None and ticket is not None:
        proven = proof.token_proof(parsed, ticket)
    outcome = _route(parsed, mailbox, ticket, proven)
    if proven is not None:
        outcome.proof, outcome.proof_detail = proven.proof, proven.detail
    return outcome


def _route(
    parsed: ParsedMessage, mailbox: Mailbox | None, ticket: Ticket | None, proven: Proven | None
) -> Outcome:
    claimed = user_by_address(parsed.from_address)
    if proven is None and claimed is not None and is_staff(claimed):
        raise Held(
            "unproven_staff",
            reasons.english(reasons.UNPROVEN_STAFF, address=parsed.from_address),
            ticket,
        )
    sender = resolve_sender(parsed.from_address, parsed.from_name, mailbox)
    if ticket is not None and not may_post(sender, ticket):
        outcome = new_ticket(parsed, mailbox, sender, proven)
        outcome.reason = reasons.english(reasons.NOT_ALLOWED, number=ticket.number)
        return outcome
    if ticket is None:
        return new_ticket(parsed, mailbox, sender, proven)
    if proven is None and not parsed.auto_reasons:
        raise Held(
            "unproven", reasons.english(reasons.UNPROVEN, address=parsed.from_address), ticket
        )
    return reply(parsed, mailbox, sender, ticket, proven)


def is_staff(user: User) -> bool:
    return bool(user.is_agent or user.is_staff or user.is_superuser)


def settings_max_mb() -> int:
    return max(1, conf.max_message_size() // conf.MB)


def may_post(sender: User, ticket: Ticket) -> bool:
    return Ticket.objects.visible_to(sender).filter(pk=ticket.pk).exists()


def new_ticket(
    parsed: ParsedMessage, mailbox: Mailbox | None, sender: User, proven: Proven | None
) -> Outcome:
    uploads, dropped = uploads_of(parsed)
    group = mailbox.group if mailbox and mailbox.group and mailbox.group.is_active else None
    try:
        ticket = tickets.create_ticket(
            None,
            title=threads.strip_numbers(parsed.subject) or _("(no subject)"),
            requester=sender,
            description=parsed.text.strip(),
            kind=mailbox.kind if mailbox else Kind.INCIDENT,
            category=mailbox.category if mailbox else None,
            channel=Channel.EMAIL,
            group=group,
            uploads=uploads,
            actor_kind=ActorKind.EMAIL,
        )
    except ServiceError as error:
        if error.code == "no_service_desk":
            raise Held("no_desk", reasons.NO_DESK) from error
        raise
    _after(parsed, ticket, sender, dropped, proven)
    return Outcome(InboundStatus.PROCESSED, "created", ticket)


def reply(
    parsed: ParsedMessage,
    mailbox: Mailbox | None,
    sender: User,
    ticket: Ticket,
    proven: Proven | None,
) -> Outcome:
    if parsed.auto_reasons:
        return auto_note(parsed, ticket)
    is_agent = sender.is_agent or sender.is_superuser
    category = ticket.status.category
    policy = mailbox.closed_replies if mailbox else ClosedReplies.REOPEN
    action = "reply"
    if not is_agent and category == StatusCategory.CLOSED and policy == ClosedReplies.FOLLOW_UP:
        return follow_up(parsed, mailbox, sender, ticket, proven)
    if not is_agent and category in (StatusCategory.RESOLVED, StatusCategory.CLOSED):
        ticket = tickets.reopen_ticket(sender, ticket, allow_closed=True)
        action = "reopened"
    uploads, dropped = uploads_of(parsed)
    internal = is_agent and not access.can_reply_publicly(sender, ticket)
    comment = tickets.add_comment(
        sender,
        ticket,
        (parsed.new_text or parsed.text).strip(),
        internal=internal,
        channel=Channel.EMAIL,
        uploads=uploads,
        actor_kind=ActorKind.EMAIL,
    )
    _after(parsed, ticket, sender, dropped, proven)
    return Outcome(InboundStatus.PROCESSED, "note" if internal else action, ticket, comment)


def follow_up(
    parsed: ParsedMessage, mailbox: Mailbox | None, sender: User, old: Ticket, proven: Proven | None
) -> Outcome:
    outcome = new_ticket(parsed, mailbox, sender, proven)
    created = outcome.ticket
    assert created is not None, "new_ticket registers a ticket"
    tickets.link_tickets(None, created, old, LinkType.RELATED)
    outcome.action = "follow_up"
    outcome.reason = reasons.english(reasons.FOLLOW_UP, old=old.number)
    return outcome


def auto_note(parsed: ParsedMessage, ticket: Ticket) -> Outcome:
    """Agents read an out-of-office or a machine's answer; it changes nothing on the ticket."""
    body = _("Automatic message from %(sender)s (%(why)s):") % {
        "sender": parsed.from_address,
        "why": ", ".join(parsed.auto_reasons),
    }
    text = (parsed.new_text or parsed.text).strip()
    comment = tickets.add_comment(
        None,
        ticket,
        f"{body}\n\n{text}" if text else body,
        internal=True,
        channel=Channel.EMAIL,
        actor_kind=ActorKind.EMAIL,
    )
    return Outcome(InboundStatus.PROCESSED, "auto_note", ticket, comment)


def uploads_of(parsed: ParsedMessage) -> tuple[list[tickets.Upload], list[str]]:
    """The attachments to keep, and the names of those too large to keep."""
    keep: list[tickets.Upload] = []
    dropped: list[str] = []
    for attachment in parsed.attachments[:MAX_ATTACHMENTS]:
        name = attachment.filename or "attachment"
        if len(attachment.content) > settings.MAX_ATTACHMENT_SIZE:
            dropped.append(name)
        else:
            keep.append(tickets.Upload(name=name, content=attachment.content))
    dropped += [a.filename or "attachment" for a in parsed.attachments[MAX_ATTACHMENTS:]]
    return keep, dropped


def _after(
    parsed: ParsedMessage,
    ticket: Ticket,
    sender: User,
    dropped: list[str],
    proven: Proven | None,
) -> None:
    """Cc'd people follow the ticket (only those who may see it, only when the sender is
    proven: otherwise anyone could subscribe themselves); agents learn which attachments
    were not kept."""
    watchers: list[User] = []
    if proven is not None:
        candidates = known_recipients([*parsed.cc, *parsed.to], exclude=[sender.email])
        watchers = [user for user in candidates if may_post(user, ticket)]
    if watchers:
        tickets.add_watchers(None, ticket, watchers, actor_kind=ActorKind.EMAIL)
    if dropped:
        tickets.add_comment(
            None,
            ticket,
            _("Attachments not kept (larger than the limit): %(names)s")
            % {"names": ", ".join(dropped)},
            internal=True,
            channel=Channel.EMAIL,
            actor_kind=ActorKind.EMAIL,
        )
