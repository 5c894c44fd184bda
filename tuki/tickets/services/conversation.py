"""Replies and internal notes."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.lib.errors import ServiceError
from tuki.lib.uploads import Upload
from tuki.tickets import access, reasons
from tuki.tickets.models import ActorKind, Channel, Comment, EventAction, StatusCategory, Ticket
from tuki.tickets.services.attachments import _attach
from tuki.tickets.services.common import _check_version, _lock, _touch, _writing
from tuki.tickets.services.events import _event
from tuki.tickets.services.workflow import _first_allowed, _set_status


def add_comment(
    actor: User | None,
    ticket: Ticket,
    body: str,
    *,
    internal: bool = False,
    channel: str = Channel.WEB,
    uploads: Iterable[Upload] = (),
    actor_kind: str = ActorKind.USER,
    author: User | None = None,
    expected_version: int | None = None,
) -> Comment:
    """A public reply or an internal note. Requesters' replies wake a ticket waiting on them."""
    body = (body or "").strip()
    uploads = list(uploads)
    if not body and not uploads:
        raise ServiceError(_("Write something first."), field="body", code="required")
    author = author or actor
    if actor is not None:
        if internal and not access.can_note(actor, ticket):
            raise PermissionDenied(_("Only agents may add internal notes."))
        if not internal and not access.can_reply_publicly(actor, ticket):
            raise ServiceError(
                _("Your group may not write to requesters; add an internal note instead."),
                field="internal",
                code="no_public_reply",
            )
    with _writing():
        ticket = _lock(actor, ticket)
        _check_version(ticket, expected_version)
        if not internal and ticket.merged_into:
            raise ServiceError(
                _("This ticket was merged into %(number)s; reply there.")
                % {"number": ticket.merged_into.number},
                field="body",
                code="merged",
            )
        comment = Comment.objects.create(
            ticket=ticket, author=author, body=body, is_internal=internal, channel=channel
        )
        _event(
            ticket,
            author,
            EventAction.NOTE if internal else EventAction.REPLY,
            comment=comment,
            actor_kind=actor_kind,
        )
        _attach(ticket, author, uploads, comment=comment, internal=internal)
        fields: list[str] = []
        from_requester = author is not None and not (author.is_agent or author.is_superuser)
        if not internal and not from_requester and ticket.first_response_at is None:
            ticket.first_response_at = comment.created_at
            fields.append("first_response_at")
        if from_requester and ticket.status.category == StatusCategory.PENDING:
            target = _first_allowed(ticket, StatusCategory.OPEN, prefer=("in_progress", "assigned"))
            if target:
                fields += _set_status(ticket, author, target, reason=reasons.REQUESTER_REPLIED)
        _touch(ticket, *fields)
    return comment
