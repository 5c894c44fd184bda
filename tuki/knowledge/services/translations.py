"""An article's translations and their versions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.knowledge.models import (
    Article,
    ArticleTranslation,
    ArticleVersion,
)
from tuki.knowledge.services.common import (
    _clean_body,
    _clean_language,
    _clean_note,
    _clean_title,
    _new_version,
    _touch,
    require_editor,
)
from tuki.lib.errors import ServiceError

if TYPE_CHECKING:
    from tuki.accounts.models import User


@transaction.atomic
def add_translation(
    actor: User, article: Article, language: str, *, title: str, body: str = "", note: str = ""
) -> ArticleTranslation:
    require_editor(actor)
    language = _clean_language(language)
    title, body = _clean_title(title), _clean_body(body)
    Article.objects.select_for_update().filter(pk=article.pk).first()
    if article.translations.filter(language=language).exists():
        raise ServiceError(
            _("This article already has a translation in that language."),
            field="language",
            code="duplicate_translation",
        )
    translation = ArticleTranslation.objects.create(
        article=article, language=language, title=title, body=body, version=1,
        updated_by=actor, updated_at=timezone.now(),
    )  # fmt: skip
    _new_version(translation, actor, _clean_note(note) or _("Translated"))
    _touch(article)
    return translation


@transaction.atomic
def update_translation(
    actor: User,
    article: Article,
    language: str,
    *,
    title: str,
    body: str,
    note: str = "",
    base_version: int | None = None,
) -> ArticleTranslation:
    """Save an edit as a new version. `base_version` is the version the editor started from:
    when someone saved in between, the edit is refused instead of silently overwriting theirs.
    An edit that changes nothing makes no version.
    """
    require_editor(actor)
    language = _clean_language(language)
    title, body = _clean_title(title), _clean_body(body)
    translation = (
        ArticleTranslation.objects.select_for_update()
        .filter(article=article, language=language)
        .first()
    )
    if translation is None:
        raise ServiceError(
            _("This article has no translation in that language."),
            field="language",
            code="no_translation",
        )
    if base_version is not None and int(base_version) != translation.version:
        raise ServiceError(
            _("Someone saved version %(version)d while you were editing; reload and redo.")
            % {"version": translation.version},
            field="body",
            code="edit_conflict",
        )
    if translation.title == title and translation.body == body:
        return translation
    return _save_version(translation, actor, title, body, _clean_note(note))


def _save_version(
    translation: ArticleTranslation, actor: User, title: str, body: str, note: str
) -> ArticleTranslation:
    translation.title, translation.body = title, body
    translation.version += 1
    translation.updated_by, translation.updated_at = actor, timezone.now()
    translation.save()
    _new_version(translation, actor, note)
    _touch(translation.article)
    return translation


@transaction.atomic
def restore_version(actor: User, version: ArticleVersion, *, note: str = "") -> ArticleTranslation:
    """Bring back an old version's text as a new version; history is never rewritten."""
    require_editor(actor)
    translation = ArticleTranslation.objects.select_for_update().get(pk=version.translation_id)
    note = _clean_note(note) or _("Restored version %(number)d") % {"number": version.number}
    return _save_version(translation, actor, version.title, version.body, note)


@transaction.atomic
def delete_translation(actor: User, article: Article, language: str) -> None:
    """Remove one language; the last one stays (an article without text means nothing)."""
    require_editor(actor)
    language = _clean_language(language)
    Article.objects.select_for_update().filter(pk=article.pk).first()
    translations = list(article.translations.all())
    target = next((t for t in translations if t.language == language), None)
    if target is None:
        raise ServiceError(
            _("This article has no translation in that language."),
            field="language",
            code="no_translation",
        )
    if len(translations) == 1:
        raise ServiceError(
            _("The last translation cannot be removed; archive the article instead."),
            field="language",
            code="last_translation",
        )
    target.delete()
    _touch(article)
