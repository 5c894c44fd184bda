"""Demo data for the knowledge base (called by tuki/demo/loader.py after the stories).

About thirty everyday IT articles in English, most with Romanian and Finnish translations,
a few marked FAQ, one for agents only, one for a single client, one draft and one archived;
then readers' views and votes, the resolved tickets the articles helped with, and twelve
weeks of self-service outcomes, so the reports have something to show. Everything is
written through tuki.knowledge.services; only counters and timestamps are set afterwards,
as the ticket demo backdates its events.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from tuki.accounts.models import Organisation
from tuki.demo.cast import Cast
from tuki.demo.data.articles import (
    CATEGORIES,
    COMMENTS_NO,
    DEFLECTION_QUERIES,
    DOCS,
    RELATED,
    UNANSWERED,
    Doc,
)
from tuki.knowledge import services
from tuki.knowledge.models import (
    Article,
    ArticleCategory,
    ArticleFeedback,
    ArticleTranslation,
    ArticleVersion,
    Audience,
    Deflection,
    State,
)
from tuki.knowledge.receivers import KIND
from tuki.search import engine
from tuki.search.models import SearchQuery
from tuki.tickets.models import Channel, StatusCategory, Ticket


def seed(cast: Cast, now: datetime, rnd: random.Random | None = None) -> dict[str, int]:
    """The articles, their readers and what self-service saved (idempotent: once only)."""
    # The demo's own articles, by the first one's title: known-error articles that the
    # problems of the stories published before this step are not the knowledge base.
    if ArticleTranslation.objects.filter(language="en", title=DOCS[0].texts["en"][0]).exists():
        return {"articles": 0}
    rnd = rnd or random.Random(6)
    categories = _categories(cast.admin)
    authors = [*cast.operators, *cast.groups["Network Helsinki"].members.all()]
    articles = {doc.key: _article(doc, categories, authors, cast, now, rnd) for doc in DOCS}
    for a, b in RELATED:
        articles[a].related.add(articles[b])
    _readers(articles, cast, rnd)
    _used_on_tickets(articles, cast, rnd)
    _deflections(articles, cast, now, rnd)
    _unanswered(cast)
    _backdate(articles, now, rnd)
    return {"articles": len(articles)}


def _categories(admin: Any) -> dict[str, ArticleCategory]:
    made: dict[str, ArticleCategory] = {}
    for position, (slug, name, parent) in enumerate(CATEGORIES):
        made[slug] = services.save_category(
            admin, name=name, parent=made.get(parent or ""), position=position, slug=slug
        )
    return made


def _article(
    doc: Doc, categories: dict[str, ArticleCategory], authors: list[Any], cast: Cast,
    now: datetime, rnd: random.Random,
) -> Article:  # fmt: skip
    owner = rnd.choice(authors)
    title, body = doc.texts["en"]
    organisations: list[Organisation] = []
    client = cast.requesters[0].organisation  # Revontuli Oy
    if doc.audience == Audience.ORGANISATIONS and client is not None:
        organisations = [client]
    article = services.create_article(
        owner, title=title, body=body, category=categories[doc.category], audience=doc.audience,
        organisations=organisations, is_faq=doc.faq, tags=doc.tags, owner=owner,
        review_by=(now + timedelta(days=doc.review_in_days)).date(),
    )  # fmt: skip
    for language, (title, body) in doc.texts.items():
        if language != "en":
            services.add_translation(rnd.choice(authors), article, language, title=title, body=body)
    if rnd.random() < 0.4:  # some articles were corrected after they were written
        _, body = doc.texts["en"]
        services.update_translation(
            rnd.choice(authors), article, "en", title=doc.texts["en"][0],
            body=body + "\n\n*Updated after readers' feedback.*", note="Wording after feedback",
        )  # fmt: skip
    if doc.state in (State.PUBLISHED, State.ARCHIVED):
        services.set_state(owner, article, State.REVIEW)
        services.set_state(owner, article, State.PUBLISHED)
    if doc.state == State.ARCHIVED:
        services.set_state(owner, article, State.ARCHIVED)
    article.refresh_from_db()
    article.demo_doc = doc  # type: ignore[attr-defined]  # the demo's note on the object, not a field
    return article


def _readers(articles: dict[str, Article], cast: Cast, rnd: random.Random) -> None:
    """Views (counters only) and votes (through the service, one per reader)."""
    for article in articles.values():
        if article.state != State.PUBLISHED or article.audience == Audience.INTERNAL:
            continue
        doc = article.demo_doc  # type: ignore[attr-defined]  # the demo's note on the object, not a field
        views = rnd.randint(150, 900) if doc.faq else rnd.randint(10, 260)
        Article.objects.filter(pk=article.pk).update(view_count=views)
        readers = [r for r in cast.requesters if _may_read(article, r)]
        for reader in rnd.sample(readers, k=min(len(readers), rnd.randint(2, 9))):
            helpful = rnd.random() < (0.55 if doc.key in ("vpn-sites", "mailbox-full") else 0.85)
            comment = "" if helpful or rnd.random() < 0.5 else rnd.choice(COMMENTS_NO)
            services.vote(reader, article, helpful, comment)


def _may_read(article: Article, user: Any) -> bool:
    if article.audience != Audience.ORGANISATIONS:
        return True
    return article.organisations.filter(pk=user.organisation_id).exists()


def _used_on_tickets(articles: dict[str, Article], cast: Cast, rnd: random.Random) -> None:
    """Resolved tickets of an article's category: the desk answered them with it."""
    done = (StatusCategory.RESOLVED, StatusCategory.CLOSED)
    for article in articles.values():
        doc = article.demo_doc  # type: ignore[attr-defined]  # the demo's note on the object, not a field
        if doc.ticket_category is None or article.state != State.PUBLISHED:
            continue
        category = cast.categories.get(doc.ticket_category)
        tickets = list(
            Ticket.objects.filter(category=category, status__category__in=done).order_by("pk")[:12]
        )
        for ticket in rnd.sample(tickets, k=min(len(tickets), rnd.randint(1, 4))):
            services.link_to_ticket(rnd.choice(cast.operators), ticket, article)


def _deflections(
    articles: dict[str, Article], cast: Cast, now: datetime, rnd: random.Random
) -> None:
    """Twelve weeks of portal and phone self-service, more solved as the FAQ grew."""
    faq = [a for a in articles.values() if a.is_faq and a.audience == Audience.PUBLIC]
    tickets = list(Ticket.objects.filter(channel=Channel.WEB).select_related("requester")[:60])
    rows = []
    for week in range(12):
        for _ in range(rnd.randint(3, 7) + week // 2):
            solved = rnd.random() < 0.35 + week * 0.025 or not tickets
            ticket = None if solved else rnd.choice(tickets)
            deflection = services.record_deflection(
                ticket.requester if ticket else rnd.choice(cast.requesters),
                query=rnd.choice(DEFLECTION_QUERIES),
                article=rnd.choice(faq) if solved else None,
                outcome="solved" if solved else "submitted",
                ticket=ticket,
                channel="call" if rnd.random() < 0.2 else "portal",
            )
            when = now - timedelta(weeks=11 - week, days=rnd.randint(0, 6), hours=rnd.randint(0, 9))
            rows.append((deflection.pk, min(when, now)))
    for pk, when in rows:
        Deflection.objects.filter(pk=pk).update(created_at=when)


def _unanswered(cast: Cast) -> None:
    """Searches that found nothing, for the report's "what to write next"."""
    for query, times in UNANSWERED:
        for i in range(times):
            engine.log_query(cast.requesters[i % len(cast.requesters)], query, 0)


def _backdate(articles: dict[str, Article], now: datetime, rnd: random.Random) -> None:
    """Articles written over the last two years, edited since; versions keep their order."""
    for article in articles.values():
        born = now - timedelta(days=rnd.randint(60, 720))
        versions = ArticleVersion.objects.filter(translation__article=article).order_by("pk")
        step = (now - born) / (versions.count() + 1)
        for n, version in enumerate(versions, start=1):
            ArticleVersion.objects.filter(pk=version.pk).update(edited_at=born + step * n)
        last = born + step * versions.count()
        ArticleTranslation.objects.filter(article=article).update(updated_at=last)
        published = born + step if article.published_at else None
        Article.objects.filter(pk=article.pk).update(
            created_at=born, updated_at=last, published_at=published
        )
    ArticleFeedback.objects.filter(created_at__gt=now).update(created_at=now)


def wipe() -> None:
    """Remove the demo's knowledge rows and their search documents (tests that load the
    demo into a committed database call this when they clean up)."""
    SearchQuery.objects.filter(query__in=[q for q, _times in UNANSWERED]).delete()
    for pk in Article.objects.values_list("pk", flat=True):
        engine.remove_document(KIND, pk)
    Deflection.objects.all().delete()
    Article.objects.all().delete()
    ArticleCategory.objects.all().delete()
