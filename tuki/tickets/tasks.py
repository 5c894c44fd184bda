"""Background work for tickets, run by the task worker after the transaction commits."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def notify_requester(ticket_id: int, comment_id: int | None, what: str) -> str:
    """Tell the requester about a public reply or a resolution, in their language."""
    from tuki.tickets.models import Comment, Ticket

    ticket = Ticket.objects.select_related("requester", "status").filter(pk=ticket_id).first()
    if ticket is None or not ticket.requester.email:
        return "skipped"
    comment = (
        Comment.objects.filter(pk=comment_id, is_internal=False).first() if comment_id else None
    )
    with translation.override(ticket.requester.language):
        context = {
            "ticket": ticket,
            "comment": comment,
            "what": what,
            "url": settings.SITE_URL.rstrip("/") + f"/portal/tickets/{ticket.number}/",
        }
        subject = render_to_string("emails/ticket_subject.txt", context).strip()
        body = render_to_string("emails/ticket_update.txt", context)
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[ticket.requester.email],
        headers={"Auto-Submitted": "auto-generated" if what != "reply" else "no"},
    )
    message.send()
    logger.info("notified %s about %s on %s", ticket.requester.email, what, ticket.number)
    return "sent"
