"""Keeps the search index in step with the knowledge base (connected in apps.py).

The engine (tuki.search.engine) is a library that knows no other app's models: it stores
"documents" by (kind, object_id, language). Each translation of an article is one document;
all states and audiences are indexed, because the search filters hits through
access.articles_visible_to(user) when it runs, not when it indexes.
"""

from __future__ import annotations

import importlib
import logging
from types import ModuleType
from typing import Any

from tuki.knowledge.markdown import plain_text
from tuki.knowledge.models import Article

KIND = "article"
log = logging.getLogger(__name__)


def _engine() -> ModuleType | None:
    # The search app is built beside this one; until its engine exists, indexing is a no-op.
    try:
        return importlib.import_module("tuki.search.engine")
    except ImportError:
        return None


def index_article(article_id: int) -> None:
    """Replace the article's documents with one per current translation."""
    engine = _engine()
    if engine is None:
        return
    engine.remove_document(KIND, article_id)
    article = Article.objects.filter(pk=article_id).prefetch_related("translations").first()
    if article is None:
        return
    for translation in article.translations.all():
        text = plain_text(translation.body)
        engine.index_document(
            KIND, article.pk, translation.language, translation.title, text, public_body=text
        )


def on_article_changed(sender: Any, article: Article, **kwargs: Any) -> None:
    index_article(article.pk)


def on_article_deleted(sender: Any, article_id: int, **kwargs: Any) -> None:
    engine = _engine()
    if engine is not None:
        engine.remove_document(KIND, article_id)
