"""What the knowledge views share: the reader's language, and titles for lists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import translation

from tuki.knowledge import access
from tuki.knowledge.models import Article, ArticleTranslation, Language
from tuki.tickets.views.common import agent_required, is_agent

__all__ = ["agent_required", "is_agent", "reader_language", "with_titles", "titled"]


def reader_language(request: HttpRequest) -> str:
    """?lang= when it names a known language, else the page's (the user's) language."""
    asked = request.GET.get("lang", "")
    if asked in Language.values:
        return asked
    current = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return current if current in Language.values else Language.EN


def with_titles(qs: QuerySet[Article]) -> QuerySet[Article]:
    """Prefetch only what a list row needs from the translations (no bodies)."""
    light = ArticleTranslation.objects.only("id", "article_id", "language", "title", "version")
    return qs.prefetch_related(Prefetch("translations", queryset=light))


def titled(articles: Iterable[Article], language: str) -> list[Article]:
    """Set `display` (the translation to show) on each article of a prefetched list."""
    rows = list(articles)
    for article in rows:
        article.display = access.translation_for(article, language)
        article.display_title = article.display.title if article.display else article.number
        article.languages = sorted(t.language for t in article.translations.all())
    return rows


def page_context(**extra: Any) -> dict[str, Any]:
    return {"nav": "knowledge", "languages": Language.choices, **extra}
