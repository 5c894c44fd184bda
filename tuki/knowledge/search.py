"""Finding articles for a reader, through the search engine, filtered by access."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from tuki.knowledge import access
from tuki.knowledge.models import Article, ArticleCategory, State
from tuki.knowledge.receivers import KIND
from tuki.search import engine


def in_category(node: ArticleCategory) -> Q:
    """Articles in this category or any category below it."""
    return Q(category__path=node.path) | Q(category__path__startswith=f"{node.path} › ")


def find_articles(
    user: Any,
    q: str,
    language: str | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
    published_only: bool = True,
    category: ArticleCategory | None = None,
    log: bool = True,
) -> list[Article]:
    """Ranked articles the user may read; each carries its `hit` (title and snippet HTML).

    Readers (and agents on reader pages) see published articles only; the agents' list
    passes `published_only=False`. The query is logged so the reports can show the top
    searches that found nothing.
    """
    allowed = access.articles_visible_to(user)
    if published_only:
        allowed = allowed.filter(state=State.PUBLISHED)
    if category is not None:
        allowed = allowed.filter(in_category(category))
    hits = engine.search(
        q, allowed={KIND: allowed.values("pk")}, kinds=[KIND], language=language,
        limit=limit, offset=offset,
    )  # fmt: skip
    if log:
        engine.log_query(user, q, len(hits))
    by_id = {
        a.pk: a
        for a in Article.objects.filter(pk__in=[h.object_id for h in hits])
        .select_related("category")
        .prefetch_related("translations")
    }
    found = []
    for hit in hits:
        article = by_id.get(hit.object_id)
        if article is not None:
            article.hit = hit
            found.append(article)
    return found
