"""Files on a ticket: stored by their hash, typed by their bytes, one event each."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.core.files.base import ContentFile

from tuki.accounts.models import User
from tuki.lib.uploads import Upload, sniff
from tuki.tickets.models import Attachment, Comment, EventAction, Ticket
from tuki.tickets.services.common import (
    _check_version,
    _lock,
    _require_agent,
    _touch,
    _writing,
)
from tuki.tickets.services.events import _event


def _attach(
    ticket: Ticket,
    actor: User | None,
    uploads: Iterable[Upload],
    comment: Comment | None = None,
    internal: bool = False,
) -> list[Attachment]:
    saved = []
    for upload in uploads:
        upload.check_size()
        digest = hashlib.sha256(upload.content).hexdigest()
        attachment = Attachment(
            ticket=ticket,
            comment=comment,
            filename=upload.name[:255] or "attachment",
            content_type=sniff(upload),
            size=len(upload.content),
            sha256=digest,
            is_internal=internal,
            uploaded_by=actor,
        )
        attachment.file.save(digest, ContentFile(upload.content), save=False)
        attachment.save()
        _event(ticket, actor, EventAction.ATTACHMENT, new=attachment.filename, comment=comment)
        saved.append(attachment)
    return saved


def add_attachments(
    actor: User,
    ticket: Ticket,
    uploads: Iterable[Upload],
    *,
    internal: bool = False,
    expected_version: int | None = None,
) -> list[Attachment]:
    if internal:
        _require_agent(actor)
    with _writing():
        ticket = _lock(actor, ticket)
        _check_version(ticket, expected_version)
        saved = _attach(ticket, actor, uploads, internal=internal)
        _touch(ticket)
    return saved
