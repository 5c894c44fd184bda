"""Keeps the search index in step with the knowledge base (connected in apps.py).

The engine (tuki.search.engine) is a library that knows no other app's models: it stores
"documents" by (kind, object_id, language). Each translation of an article is one document;
all states and audiences are indexed, because searches filter hits through
access.articles_visible_to(user) when they run, not when they index. Indexing runs after
commit and costs a few rows per article, so it is done in the request, not in a task. The
semantic vectors of its translations (tuki/assist/semantic.py) take the model tens of
milliseconds a text: a task computes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tuki.assist import embeddings, semantic, tasks as assist_tasks
from tuki.knowledge import access, services
from tuki.knowledge.markdown import plain_text
from tuki.knowledge.models import Article, ArticleTranslation
from tuki.lib import taskqueue
from tuki.search import engine
from tuki.search.documents import ARTICLE
from tuki.tickets.models import EventAction, TicketEvent

KIND = ARTICLE
PASSAGE_CHARS = 1500  # of the article's text: its start says what it answers


def article_documents(article: Article) -> list[engine.Document]:
    docs = []
    for translation in article.translations.all():
        text = plain_text(translation.body)
        docs.append(
            engine.Document(KIND, article.pk, translation.language, translation.title, text, text)
        )
    return docs


def index_article(article_id: int) -> None:
    """Replace the article's documents with one per current translation."""
    article = Article.objects.filter(pk=article_id).prefetch_related("translations").first()
    docs = article_documents(article) if article is not None else []
    if docs:
        engine.reindex(KIND, docs)  # replaces every language of the article
    else:
        engine.remove_document(KIND, article_id)


def article_passages(article_ids: list[int] | None) -> Iterator[tuple[int, str, str]]:
    """The texts whose meaning semantic search compares (assist/semantic.py's source): one
    per translation, its title and the start of its text; every article's when None."""
    translations = ArticleTranslation.objects.only("article_id", "language", "title", "body")
    if article_ids is not None:
        translations = translations.filter(article_id__in=article_ids)
    for t in translations.order_by("article_id", "language").iterator(chunk_size=500):
        yield t.article_id, t.language, f"{t.title}\n{plain_text(t.body)[:PASSAGE_CHARS]}"


def on_article_changed(sender: Any, article: Article, **kwargs: Any) -> None:
    index_article(article.pk)
    if embeddings.available():  # after the commit: the task finds the stored text
        taskqueue.enqueue(assist_tasks.embed_document, KIND, article.pk)


def on_article_deleted(sender: Any, article_id: int, **kwargs: Any) -> None:
    engine.remove_document(KIND, article_id)
    semantic.remove_documents(KIND, article_id)


# --- articles used in replies ------------------------------------------------------------------

ARTICLE_REFERENCE = re.compile(r"\bKB-(\d{1,9})\b|/kb/(\d{1,9})/")
COMMENT_ACTIONS = frozenset({EventAction.REPLY, EventAction.NOTE})


def referenced_ids(text: str) -> set[int]:
    return {int(a or b) for a, b in ARTICLE_REFERENCE.findall(text or "")}


def on_ticket_event(sender: Any, event: TicketEvent, **kwargs: Any) -> None:
    """An agent's reply or note naming an article (KB-12, or its link — what "Insert
    article" puts in the reply box) records that the article was used on the ticket."""
    if event.action not in COMMENT_ACTIONS or event.comment_id is None:
        return
    author = event.actor
    if author is None or not access.is_editor(author):
        return
    comment = event.comment
    if comment is None:
        return
    ids = referenced_ids(comment.body)
    if not ids:
        return
    for article in access.articles_visible_to(author).filter(pk__in=ids):
        services.link_to_ticket(author, event.ticket, article)
