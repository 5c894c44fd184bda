"""The knowledge base and the search app: finding articles for a reader through the search
engine, filtered by access, and what the search app needs of articles.

The search app must not import this app (this app uses its engine), so `register()`, called
from apps.py, gives it the articles as a search source (tuki/search/sources.py) and counts
the deflections its suggestions report (tuki/search/signals.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse

from tuki.assist import drafts as assist_drafts, semantic
from tuki.assist.drafts import Draft, Source
from tuki.knowledge import access
from tuki.knowledge.markdown import plain_text
from tuki.knowledge.models import Article, ArticleCategory, ArticleTranslation, State
from tuki.knowledge.receivers import KIND, article_passages
from tuki.knowledge.services import record_deflection
from tuki.search import engine, hybrid, sources
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
    cross_language: bool = True,
    any_word: bool = False,
) -> list[Article]:
    """Ranked articles the user may read; each carries its `hit` (title and snippet HTML).

    Readers (and agents on reader pages) see published articles only; the agents' list
    passes `published_only=False`. Full text and, when semantic search is on, meaning rank
    them together (tuki/search/hybrid.py): `language` narrows the full-text hits, and the
    hits by meaning come from every language unless `cross_language` is False. The query
    is logged so the reports can show the top searches that found nothing. `any_word`:
    articles with any of the words count (a ticket's title, not a reader's query).
    """
    allowed = access.articles_visible_to(user)
    if published_only:
        allowed = allowed.filter(state=State.PUBLISHED)
    if category is not None:
        allowed = allowed.filter(in_category(category))
    hits = hybrid.search(
        q, kind=KIND, allowed=allowed.values("pk"), language=language,
        cross_language=cross_language, limit=limit, offset=offset, any_word=any_word,
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


DRAFTS = 3  # articles offered as reply drafts (tuki/assist/drafts.py)


def first_paragraph(body: str) -> str:
    """The first paragraph of a Markdown body that is not a heading, as plain text."""
    for block in body.split("\n\n"):
        text = plain_text(block) if block.strip() and not block.lstrip().startswith("#") else ""
        if text:
            return text
    return ""


def article_drafts(user: Any, text: str, language: str) -> list[Draft]:
    """Reply drafts for Assist: the first paragraph and the link of the published articles
    the user may read that share words (or meaning) with `text`, best first."""
    # Words of any language match; the draft is in the requester's language when translated.
    found = find_articles(user, text, None, limit=DRAFTS, log=False, any_word=True)
    drafts = []
    for article in found:
        translation = access.translation_for(article, language)
        if translation is None:
            continue
        url = settings.SITE_URL.rstrip("/") + ArticleSource().url(article.pk, translation.language)
        label = f"{article.number}: {translation.title}"
        body = first_paragraph(translation.body) or translation.title
        drafts.append(Draft(f"{body}\n\n({label} — {url})", Source.ARTICLE, label, url))
    return drafts


def register() -> None:
    sources.register(ArticleSource())
    assist_drafts.register_articles(article_drafts)
    semantic.register(KIND, article_passages)
    suggestions_used.connect(on_suggestions_used, dispatch_uid="knowledge.count_deflection")
