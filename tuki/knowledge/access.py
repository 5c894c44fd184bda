"""Who may read and write which article. The only way views and the API fetch articles.

Rules:
- anonymous visitors read published public articles (the public FAQ);
- requesters read published articles that are public or limited to their organisation;
- agents and administrators read everything not archived, drafts too (archived ones only
  when they ask for them: the list's state filter, the article page);
- anything not readable is a 404, never a 403, so ids leak nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from tuki.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleTranslation,
    Audience,
    Language,
    State,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tuki.accounts.models import Organisation, User

    AnyUser = User | AnonymousUser


def is_editor(user: AnyUser) -> bool:
    """Agents and administrators write articles; requesters only read and vote."""
    return bool(user.is_authenticated and user.is_active and (user.is_agent or user.is_superuser))


def readable_q(user: AnyUser) -> Q:
    if is_editor(user):
        return Q()
    published = Q(state=State.PUBLISHED)
    if not user.is_authenticated or not user.is_active:
        return published & Q(audience=Audience.PUBLIC)
    audience = Q(audience=Audience.PUBLIC)
    if user.organisation_id:
        mine = Article.organisations.through.objects.filter(
            organisation_id=user.organisation_id
        ).values("article_id")
        audience |= Q(audience=Audience.ORGANISATIONS, pk__in=mine)
    return published & audience


def articles_visible_to(user: AnyUser, *, include_archived: bool = False) -> QuerySet[Article]:
    """Articles this user may read. Agents: not archived unless asked (search, lists)."""
    qs = Article.objects.filter(readable_q(user))
    if is_editor(user) and not include_archived:
        qs = qs.exclude(state=State.ARCHIVED)
    return qs


def get_article_for_user(user: AnyUser, number_or_id: str | int) -> Article:
    """The article by `KB-12` or id, if this user may read it (agents: archived too); else 404."""
    pk = Article.parse_number(str(number_or_id))
    if pk is None:
        raise Http404("No such article")
    article = (
        articles_visible_to(user, include_archived=True)
        .select_related("category", "owner")
        .prefetch_related("translations")
        .filter(pk=pk)
        .first()
    )
    if article is None:
        raise Http404("No such article")
    return article


def faq_for_organisation(user: AnyUser, organisation: Organisation) -> QuerySet[Article]:
    """Published FAQ articles the organisation may read, narrowed to what this reader may read."""
    for_org = Q(audience=Audience.PUBLIC) | Q(
        audience=Audience.ORGANISATIONS, organisations=organisation
    )
    ids = Article.objects.filter(for_org, is_faq=True, state=State.PUBLISHED).values("pk")
    return articles_visible_to(user).filter(pk__in=ids)


def language_order(language: str | None) -> list[str]:
    """The reader's language, then English, then the others in a fixed order."""
    order = [code for code in (language, Language.EN) if code in Language.values]
    return list(dict.fromkeys([*order, *Language.values]))


def pick_translation(
    translations: Iterable[ArticleTranslation], language: str | None
) -> ArticleTranslation | None:
    by_language = {t.language: t for t in translations}
    for code in language_order(language):
        if code in by_language:
            return by_language[code]
    return None


def translation_for(article: Article, language: str | None) -> ArticleTranslation | None:
    """The translation to show: the reader's language, else English, else any.

    Uses prefetched `translations` when the caller prefetched them (lists stay one query).
    """
    return pick_translation(article.translations.all(), language)


def get_attachment_for_user(
    user: AnyUser, article: Article, attachment_id: int
) -> ArticleAttachment:
    """An attachment of an article the user could fetch (callers fetch the article first)."""
    attachment = ArticleAttachment.objects.filter(article=article, pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such attachment")
    return attachment
