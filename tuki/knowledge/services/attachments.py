"""Files on an article: stored by their hash, typed by their bytes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import transaction

from tuki.knowledge.models import (
    Article,
    ArticleAttachment,
)
from tuki.knowledge.services.common import _clean_text, _touch, require_editor
from tuki.lib.uploads import Upload, sniff

if TYPE_CHECKING:
    from tuki.accounts.models import User


@transaction.atomic
def add_attachments(
    actor: User, article: Article, uploads: Iterable[Upload]
) -> list[ArticleAttachment]:
    require_editor(actor)
    saved = []
    for upload in uploads:
        upload.check_size()
        digest = hashlib.sha256(upload.content).hexdigest()
        attachment = ArticleAttachment(
            article=article,
            name=_clean_text(upload.name)[:255] or "attachment",
            content_type=sniff(upload),
            size=len(upload.content),
            sha256=digest,
            uploaded_by=actor,
        )
        attachment.file.save(digest, ContentFile(upload.content), save=False)
        attachment.save()
        saved.append(attachment)
    if saved:
        _touch(article)
    return saved


@transaction.atomic
def remove_attachment(actor: User, attachment: ArticleAttachment) -> None:
    require_editor(actor)
    article = attachment.article
    attachment.delete()
    # The file stays when another row (here or on a ticket) still points at the same bytes.
    if not ArticleAttachment.objects.filter(sha256=attachment.sha256).exists():
        transaction.on_commit(lambda: attachment.file.delete(save=False))
    _touch(article)
