"""What the knowledge base services share: the editor and administrator checks, input
cleaning and limits, the change announcement and the version record.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.knowledge import access, signals
from tuki.knowledge.models import (
    Article,
    ArticleTranslation,
    ArticleVersion,
    Audience,
    Language,
)
from tuki.lib.errors import ServiceError
from tuki.tickets.models import Tag

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tuki.accounts.models import Organisation, User


TITLE_MAX = 200

BODY_MAX = 200_000

NOTE_MAX = 300


def require_editor(actor: User | AnonymousUser | None) -> None:
    if actor is None or not access.is_editor(actor):
        raise PermissionDenied(_("Only agents may edit the knowledge base."))


def _require_admin(actor: User | None) -> None:
    if actor is None or not (actor.is_superuser or actor.is_staff):
        raise PermissionDenied(_("Only administrators may do this."))


def _changed(article: Article) -> None:
    """Announce the change once the transaction commits (the search index follows)."""
    transaction.on_commit(
        lambda: signals.article_changed.send(sender=Article, article=article), robust=False
    )


def _touch(article: Article) -> None:
    article.updated_at = timezone.now()
    Article.objects.filter(pk=article.pk).update(updated_at=article.updated_at)
    _changed(article)


def _clean_text(value: object) -> str:
    # NUL is refused by PostgreSQL text columns; it has no business in an article anyway.
    return str(value or "").replace("\x00", "")


def _clean_title(title: object) -> str:
    title = " ".join(_clean_text(title).split())
    if not title:
        raise ServiceError(_("A title is required."), field="title", code="required")
    if len(title) > TITLE_MAX:
        raise ServiceError(
            _("The title is longer than %(max)d characters.") % {"max": TITLE_MAX},
            field="title",
            code="too_long",
        )
    return title


def _clean_body(body: object) -> str:
    body = _clean_text(body).replace("\r\n", "\n")
    if len(body) > BODY_MAX:
        raise ServiceError(
            _("The text is longer than %(max)d characters.") % {"max": BODY_MAX},
            field="body",
            code="too_long",
        )
    return body


def _clean_note(note: object) -> str:
    return " ".join(_clean_text(note).split())[:NOTE_MAX]


def _clean_language(language: object) -> str:
    if language not in Language.values:
        raise ServiceError(_("Unknown language."), field="language", code="unknown_language")
    return str(language)


def _clean_audience(audience: object) -> str:
    if audience not in Audience.values:
        raise ServiceError(_("Unknown audience."), field="audience", code="unknown_audience")
    return str(audience)


def _clean_review_by(value: object) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ServiceError(
            _("Enter a date as YYYY-MM-DD."), field="review_by", code="invalid_date"
        ) from None


def _set_tags(article: Article, names: Iterable[str]) -> None:
    clean = sorted({_clean_text(n).strip().lower()[:50] for n in names if n and str(n).strip()})
    article.tags.set([Tag.objects.get_or_create(name=name)[0] for name in clean])


def _check_organisations(audience: str, organisations: Iterable[Organisation]) -> list[Any]:
    organisations = list(organisations)
    if audience == Audience.ORGANISATIONS and not organisations:
        raise ServiceError(
            _("Choose at least one organisation, or another audience."),
            field="organisations",
            code="required",
        )
    return organisations


def _check_related(article: Article, related: Iterable[Article]) -> list[Article]:
    related = [r for r in related if r.pk != article.pk]
    return related


def _new_version(translation: ArticleTranslation, actor: User | None, note: str) -> ArticleVersion:
    return ArticleVersion.objects.create(
        translation=translation,
        number=translation.version,
        title=translation.title,
        body=translation.body,
        edited_by=actor,
        edited_at=translation.updated_at,
        note=note,
    )
