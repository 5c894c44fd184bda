"""What readers do: views, votes with comments, and self-service attempts (deflections)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tuki.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleTranslation,
    Deflection,
    DeflectionChannel,
    DeflectionOutcome,
    State,
)
from tuki.knowledge.services.common import _clean_text
from tuki.lib.errors import ServiceError
from tuki.tickets.models import Ticket

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tuki.accounts.models import User

COMMENT_MAX = 2_000


def record_view(article: Article) -> None:
    """Count a reading; a single UPDATE, no lock, not an edit (updated_at stays)."""
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


@transaction.atomic
def vote(
    user: User,
    article: Article,
    helpful: bool,
    comment: str = "",
    *,
    translation: ArticleTranslation | None = None,
) -> ArticleFeedback:
    """One vote per reader and article: voting again replaces the earlier vote."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in to rate articles."))
    if article.state != State.PUBLISHED:
        raise ServiceError(
            _("Only published articles can be rated."), field="helpful", code="not_published"
        )
    comment = _clean_text(comment).strip()
    if len(comment) > COMMENT_MAX:
        raise ServiceError(
            _("The comment is longer than %(max)d characters.") % {"max": COMMENT_MAX},
            field="comment",
            code="too_long",
        )
    locked = Article.objects.select_for_update().get(pk=article.pk)
    old = ArticleFeedback.objects.filter(article=locked, user=user).first()
    counts = {"helpful_count": locked.helpful_count, "not_helpful_count": locked.not_helpful_count}
    if old is not None:
        key = "helpful_count" if old.helpful else "not_helpful_count"
        counts[key] = max(0, counts[key] - 1)
        old.delete()
    counts["helpful_count" if helpful else "not_helpful_count"] += 1
    Article.objects.filter(pk=locked.pk).update(**counts)
    article.helpful_count = counts["helpful_count"]
    article.not_helpful_count = counts["not_helpful_count"]
    return ArticleFeedback.objects.create(
        article=locked, translation=translation, user=user, helpful=bool(helpful), comment=comment
    )


def record_deflection(
    user: User | AnonymousUser | None,
    *,
    query: str,
    article: Article | None = None,
    outcome: str,
    ticket: Ticket | None = None,
    channel: str = DeflectionChannel.PORTAL,
    session_key: str = "",
) -> Deflection:
    """Count a self-service attempt: `solved` (an article ended the request) or `submitted`
    (the request went in anyway, `ticket` is the new one)."""
    if outcome not in DeflectionOutcome.values:
        raise ServiceError(_("Unknown outcome."), field="outcome", code="unknown_outcome")
    if channel not in DeflectionChannel.values:
        raise ServiceError(_("Unknown channel."), field="channel", code="unknown_channel")
    if outcome == DeflectionOutcome.SOLVED and ticket is not None:
        raise ServiceError(
            _("A solved request has no ticket."), field="ticket", code="solved_with_ticket"
        )
    return Deflection.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        session_key=_clean_text(session_key)[:64],
        query=" ".join(_clean_text(query).split())[:500],
        article=article,
        outcome=outcome,
        ticket=ticket,
        channel=channel,
    )
