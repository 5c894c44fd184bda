"""The knowledge base and the search app: finding articles for a reader through the search
engine, filtered by access, and what the search app needs of articles.

The search app must not import this app (this app uses its engine), so `register()`, called
from apps.py, gives it the articles as a search source (tuki/search/sources.py) and counts
the deflections its suggestions report (tuki/search/signals.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse

from tuki.knowledge import access
from tuki.knowledge.markdown import plain_text
from tuki.knowledge.models import Article, ArticleCategory, ArticleTranslation, State
from tuki.knowledge.receivers import KIND
from tuki.knowledge.services import record_deflection
from tuki.search import engine, sources
from tuki.search.signals import suggestions_used

CHUNK = 500


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


class ArticleSource:
    """Articles as the search pages find, show and open them (tuki/search/sources.py)."""

    kind = KIND

    def documents(self) -> Iterator[engine.Document]:
        """One document per article translation, as receivers.py indexes them."""
        translations = ArticleTranslation.objects.only("article_id", "language", "title", "body")
        for t in translations.order_by("article_id", "language").iterator(chunk_size=CHUNK):
            text = plain_text(t.body)
            yield engine.Document(KIND, t.article_id, t.language, t.title, text, text)

    def visible_to(self, user: Any, *, published_only: bool) -> QuerySet[Article]:
        articles = access.articles_visible_to(user)
        return articles.filter(state=State.PUBLISHED) if published_only else articles

    def load(self, ids: list[int]) -> dict[int, Article]:
        return Article.objects.select_related("category").in_bulk(ids)

    def url(self, pk: int, language: str = "") -> str:
        """The reader page for the article, in the language that matched."""
        try:
            url = reverse("knowledge:article", args=[pk])
        except NoReverseMatch:  # the knowledge pages are not mounted
            url = f"/kb/{pk}/"
        return f"{url}?lang={language}" if language else url

    def get_for_user(self, user: Any, pk: int) -> Article:
        return access.get_article_for_user(user, pk)

    def translation(self, obj: Article, language: str | None) -> ArticleTranslation | None:
        return access.translation_for(obj, language)


def on_suggestions_used(
    sender: Any,
    *,
    user: Any,
    query: str,
    channel: str,
    outcome: str,
    article: Article | None = None,
    ticket: Any = None,
    session_key: str = "",
    **kwargs: Any,
) -> None:
    """Suggested articles solved a request, or it was submitted anyway: count it."""
    record_deflection(
        user,
        query=query,
        article=article,
        outcome=outcome,
        ticket=ticket,
        channel=channel,
        session_key=session_key,
    )


def register() -> None:
    sources.register(ArticleSource())
    suggestions_used.connect(on_suggestions_used, dispatch_uid="knowledge.count_deflection")
