"""The email side of a ticket's timeline: originals, delivery status and failures.

`{% ticket_mail ticket as mail %}` reads the ticket's messages in two queries, whatever the
number of comments; `{% comment_mail mail comment %}` then shows one comment's part.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template
from django.utils.safestring import mark_safe

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
    held: list[InboundMessage] = field(default_factory=list)

    def comment_html(self, context: template.Context, comment: Comment) -> str:
        """A comment's part, for the timeline's comment tag (tickets/templatetags)."""
        return comment_mail(context, self, comment)


@register.simple_tag
def ticket_mail(ticket: Ticket) -> TicketMail:
    mail = TicketMail()
    received = InboundMessage.objects.filter(
        ticket=ticket, status__in=(InboundStatus.PROCESSED, InboundStatus.HELD)
    )
    for message in received.defer("raw").order_by("received_at", "id"):
        if message.status == InboundStatus.HELD:
            mail.held.append(message)
        elif message.comment_id:
            mail.inbound[message.comment_id] = message
        elif message.action in ("created", "follow_up") and mail.original is None:
            mail.original = message
    for sent in OutboundMessage.objects.filter(ticket=ticket).defer("raw").order_by("id"):
        if sent.comment_id:
            mail.outbound.setdefault(sent.comment_id, []).append(sent)
        if sent.status in PROBLEMS:
            mail.problems.append(sent)
        elif sent.status == OutboundStatus.PENDING and sent.attempts:
            mail.waiting.append(sent)
    return mail


# What mail/partials/comment_mail.html writes for a comment that no email carried (most of
# them): the timeline skips rendering that template once per comment for nothing.
NO_MAIL = "\n\n"


@register.simple_tag(takes_context=True)
def comment_mail(
    context: template.Context, mail: TicketMail | None, comment: Comment | None
) -> str:
    inbound = mail.inbound.get(comment.pk) if mail and comment else None
    outbound = mail.outbound.get(comment.pk, []) if mail and comment else []
    if inbound is None and not outbound:
        return mark_safe(NO_MAIL)
    rendering = context.template
    assert rendering is not None, "a tag is rendered inside a template"
    part = rendering.engine.get_template("mail/partials/comment_mail.html")
    return part.render(context.new({"inbound": inbound, "outbound": outbound}))
