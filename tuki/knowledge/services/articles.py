"""Articles: create, edit, delete, and their moves through the states (draft, review,
published, archived).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.knowledge import signals
from tuki.knowledge.models import (
    STATE_MOVES,
    Article,
    ArticleCategory,
    ArticleTranslation,
    Audience,
    Language,
    State,
)
from tuki.knowledge.services.common import (
    _changed,
    _check_organisations,
    _check_related,
    _clean_audience,
    _clean_body,
    _clean_language,
    _clean_note,
    _clean_review_by,
    _clean_title,
    _new_version,
    _set_tags,
    require_editor,
)
from tuki.lib.errors import ServiceError
from tuki.tickets.models import Ticket

if TYPE_CHECKING:
    from tuki.accounts.models import Organisation, User


@transaction.atomic
def create_article(
    actor: User,
    *,
    title: str,
    body: str = "",
    language: str = Language.EN,
    category: ArticleCategory | None = None,
    audience: str = Audience.PUBLIC,
    organisations: Iterable[Organisation] = (),
    is_faq: bool = False,
    review_by: datetime.date | str | None = None,
    owner: User | None = None,
    tags: Iterable[str] = (),
    related: Iterable[Article] = (),
    note: str = "",
    source_ticket: Ticket | None = None,
) -> Article:
    """A new draft with its first translation and version 1."""
    require_editor(actor)
    title, body = _clean_title(title), _clean_body(body)
    language, audience = _clean_language(language), _clean_audience(audience)
    organisations = _check_organisations(audience, organisations)
    now = timezone.now()
    article = Article.objects.create(
        category=category,
        audience=audience,
        is_faq=bool(is_faq),
        state=State.DRAFT,
        review_by=_clean_review_by(review_by),
        owner=owner or actor,
        source_ticket=source_ticket,
        created_at=now,
        updated_at=now,
    )
    article.organisations.set(organisations if audience == Audience.ORGANISATIONS else [])
    _set_tags(article, tags)
    article.related.set(_check_related(article, related))
    translation = ArticleTranslation.objects.create(
        article=article, language=language, title=title, body=body, version=1,
        updated_by=actor, updated_at=now,
    )  # fmt: skip
    _new_version(translation, actor, _clean_note(note) or _("Created"))
    _changed(article)
    return article


ARTICLE_FIELDS = (
    "category", "audience", "organisations", "is_faq", "review_by", "owner", "tags", "related",
)  # fmt: skip


@transaction.atomic
def update_article(actor: User, article: Article, **changes: Any) -> Article:
    """Change the language-free fields (those in ARTICLE_FIELDS); the text has its own service."""
    require_editor(actor)
    unknown = set(changes) - set(ARTICLE_FIELDS)
    if unknown:
        field = sorted(unknown)[0]
        raise ServiceError(_("This field cannot be changed."), field=field, code="read_only")
    article = Article.objects.select_for_update().get(pk=article.pk)
    if "audience" in changes:
        article.audience = _clean_audience(changes["audience"])
    if "category" in changes:
        article.category = changes["category"]
    if "is_faq" in changes:
        article.is_faq = bool(changes["is_faq"])
    if "review_by" in changes:
        article.review_by = _clean_review_by(changes["review_by"])
    if "owner" in changes:
        owner = changes["owner"]
        if owner is not None and not (owner.is_agent or owner.is_superuser):
            raise ServiceError(_("The owner must be an agent."), field="owner", code="not_agent")
        article.owner = owner
    organisations = (
        list(changes["organisations"])
        if "organisations" in changes
        else list(article.organisations.all())
    )
    _check_organisations(article.audience, organisations)
    article.updated_at = timezone.now()
    article.save()
    if "organisations" in changes or "audience" in changes:
        keep = organisations if article.audience == Audience.ORGANISATIONS else []
        article.organisations.set(keep)
    if "tags" in changes:
        _set_tags(article, changes["tags"])
    if "related" in changes:
        article.related.set(_check_related(article, changes["related"]))
    _changed(article)
    return article


@transaction.atomic
def delete_article(actor: User, article: Article) -> None:
    """Administrators and the owner may delete; everyone else archives instead."""
    require_editor(actor)
    if not (actor.is_superuser or article.owner_id == actor.pk):
        raise PermissionDenied(_("Only the owner or an administrator may delete an article."))
    article_id = article.pk
    for attachment in article.attachments.all():
        attachment.file.delete(save=False)
    article.delete()
    transaction.on_commit(
        lambda: signals.article_deleted.send(sender=Article, article_id=article_id)
    )


def allowed_states(article: Article) -> tuple[str, ...]:
    return STATE_MOVES.get(article.state, ())


@transaction.atomic
def set_state(actor: User, article: Article, state: str) -> Article:
    """Move along draft → review → published → archived, only by the allowed moves."""
    require_editor(actor)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if state not in State.values:
        raise ServiceError(_("Unknown state."), field="state", code="unknown_state")
    if state == article.state:
        return article
    if state not in allowed_states(article):
        raise ServiceError(
            _("An article cannot move from “%(old)s” to “%(new)s”.")
            % {"old": State(article.state).label, "new": State(state).label},
            field="state",
            code="transition_not_allowed",
        )
    if state == State.PUBLISHED:
        empty = article.translations.filter(body__regex=r"^\s*$").exists()
        if empty or not article.translations.exists():
            raise ServiceError(
                _("Every translation needs a text before publishing."),
                field="state",
                code="empty_body",
            )
        article.published_at = timezone.now()
    article.state = state
    article.updated_at = timezone.now()
    article.save(update_fields=["state", "published_at", "updated_at"])
    _changed(article)
    return article
