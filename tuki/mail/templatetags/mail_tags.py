"""The email side of a ticket's timeline: originals, delivery status and failures.

`{% ticket_mail ticket as mail %}` reads the ticket's messages in two queries, whatever the
number of comments; `{% comment_mail mail comment %}` then shows one comment's part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import template

from tuki.mail.models import (
    InboundMessage,
    InboundStatus,
    OutboundMessage,
    OutboundStatus,
)
from tuki.tickets.models import Comment, Ticket

register = template.Library()

PROBLEMS = (OutboundStatus.FAILED, OutboundStatus.BOUNCED)


@dataclass
class TicketMail:
    inbound: dict[int, InboundMessage] = field(default_factory=dict)
    outbound: dict[int, list[OutboundMessage]] = field(default_factory=dict)
    original: InboundMessage | None = None
    problems: list[OutboundMessage] = field(default_factory=list)
    waiting: list[OutboundMessage] = field(default_factory=list)


@register.simple_tag
def ticket_mail(ticket: Ticket) -> TicketMail:
    mail = TicketMail()
    received = InboundMessage.objects.filter(ticket=ticket, status=InboundStatus.PROCESSED)
    for message in received.defer("raw").order_by("received_at", "id"):
        if message.comment_id:
            mail.inbound[message.comment_id] = message
        elif message.action in ("created", "follow_up") and mail.original is None:
            mail.original = message
    for message in OutboundMessage.objects.filter(ticket=ticket).defer("raw").order_by("id"):
        if message.comment_id:
            mail.outbound.setdefault(message.comment_id, []).append(message)
        if message.status in PROBLEMS:
            mail.problems.append(message)
        elif message.status == OutboundStatus.PENDING and message.attempts:
            mail.waiting.append(message)
    return mail


@register.inclusion_tag("mail/partials/comment_mail.html")
def comment_mail(mail: TicketMail | None, comment: Comment | None) -> dict[str, Any]:
    if mail is None or comment is None:
        return {}
    return {
        "inbound": mail.inbound.get(comment.pk),
        "outbound": mail.outbound.get(comment.pk, []),
    }
