"""The mail a requester gets about their ticket: text and HTML, in their language.

compose_ticket_email only builds the message; the caller plans, sends and records it
(tuki/mail/outbound/planning.py). Internal notes are never composed, whatever the caller asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tuki.mail import replytoken
from tuki.mail.inbound.parsing import clean_line
from tuki.mail.models import Mailbox

if TYPE_CHECKING:
    from tuki.tickets.models import Attachment, Comment, Ticket

WHATS = ("created", "reply", "resolved", "closed")
# Messages the desk sends on its own (RFC 3834): a well-behaved responder never answers them.
AUTOMATIC = frozenset({"created", "resolved", "closed"})
# Files above this total go out as portal links, so one big upload cannot block delivery.
MAX_ATTACHED_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class LinkedFile:
    filename: str
    url: str


def compose_ticket_email(
    ticket: Ticket,
    *,
    what: str,
    comment: Comment | None = None,
    to: str | Sequence[str],
    from_email: str,
    message_id: str,
    in_reply_to: str = "",
    references: Iterable[str] = (),
    cc: Sequence[str] = (),
    reply_to: str = "",
) -> EmailMultiAlternatives:
    """Build the mail about `what` happened on `ticket` (not sent).

    Raises ValueError for an unknown `what`, a reply without a comment, or an internal
    note: those must never reach a requester.
    """
    if what not in WHATS:
        raise ValueError(f"unknown mail kind {what!r}")
    if comment is not None and comment.is_internal:
        raise ValueError("internal notes are never mailed to requesters")
    if what == "reply" and comment is None:
        raise ValueError("a reply mail needs the public comment it carries")
    attached, linked = _split_attachments(_public_files(comment))
    with translation.override(ticket.requester.language or settings.LANGUAGE_CODE):
        context = _context(ticket, what, comment, from_email, linked)
        subject = clean_line(render_to_string("emails/ticket_subject.txt", context))
        context["subject"] = subject
        text = render_to_string("emails/ticket.txt", context).strip() + "\n"
        html = render_to_string("emails/ticket.html", context)
    recipients = [to] if isinstance(to, str) else list(to)
    if not reply_to:
        reply_to = _reply_to(ticket, from_email, recipients)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email,
        to=recipients,
        cc=list(cc),
        reply_to=[reply_to],
        headers=_headers(what, message_id, in_reply_to, references),
    )
    message.attach_alternative(html, "text/html")
    for file in attached:
        with file.file.open("rb") as handle:
            message.attach(
                clean_line(file.filename) or "attachment", handle.read(), file.content_type
            )
    return message


def _reply_to(ticket: Ticket, from_email: str, recipients: list[str]) -> str:
    """The desk's address; with the reply token (mail/replytoken.py) when its mailbox says
    `address+anything` reaches it: an answer from the first recipient then proves itself."""
    address = parseaddr(from_email)[1]
    first = parseaddr(recipients[0])[1] if recipients else ""
    tokens = Mailbox.objects.filter(address__iexact=address, reply_token_address=True).exists()
    if tokens and first:
        return replytoken.reply_address(from_email, ticket.pk, first)
    return formataddr(parseaddr(from_email))


def _context(
    ticket: Ticket, what: str, comment: Comment | None, from_email: str, linked: list[LinkedFile]
) -> dict[str, object]:
    author = comment.author if comment is not None else None
    return {
        "ticket": ticket,
        "requester": ticket.requester,
        "what": what,
        "comment": comment,
        "author_name": (author.get_full_name() or str(author)) if author else _("Service desk"),
        "url": _absolute(reverse("portal:detail", args=[ticket.number])),
        "linked": linked,
        "desk_name": parseaddr(from_email)[0] or _("Tuki Service Desk"),
        "language": translation.get_language(),
    }


def _headers(
    what: str, message_id: str, in_reply_to: str, references: Iterable[str]
) -> dict[str, str]:
    headers = {"Message-ID": _angle(message_id)}
    refs = [_angle(ref) for ref in references if _bare(ref)]
    if in_reply_to and _bare(in_reply_to):
        headers["In-Reply-To"] = _angle(in_reply_to)
        if _angle(in_reply_to) not in refs:
            refs.append(_angle(in_reply_to))
    if refs:
        headers["References"] = " ".join(dict.fromkeys(refs))
    if what in AUTOMATIC:
        headers["Auto-Submitted"] = "auto-generated"
        # Exchange and Outlook: no out-of-office or other auto-replies to this one.
        headers["X-Auto-Response-Suppress"] = "All"
    return headers


def _bare(message_id: str) -> str:
    return clean_line(message_id).strip("<> ")


def _angle(message_id: str) -> str:
    return f"<{_bare(message_id)}>"


def _public_files(comment: Comment | None) -> list[Attachment]:
    if comment is None:
        return []
    return list(comment.attachments.filter(is_internal=False).order_by("created_at", "id"))


def _split_attachments(files: list[Attachment]) -> tuple[list[Attachment], list[LinkedFile]]:
    """Attach files while they fit under MAX_ATTACHED_BYTES; link the rest."""
    attached: list[Attachment] = []
    linked: list[LinkedFile] = []
    total = 0
    for file in files:
        if total + file.size <= MAX_ATTACHED_BYTES:
            attached.append(file)
            total += file.size
        else:
            url = _absolute(reverse("portal:attachment", args=[file.pk]))
            linked.append(LinkedFile(file.filename, url))
    return attached, linked


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path
