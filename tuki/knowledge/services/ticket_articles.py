"""Articles and tickets: an article used on a ticket, and an article drafted from one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tuki.knowledge.models import (
    Article,
    Audience,
    Language,
    TicketArticle,
)
from tuki.knowledge.services.articles import create_article
from tuki.knowledge.services.common import TITLE_MAX, require_editor
from tuki.lib.errors import ServiceError
from tuki.tickets.models import StatusCategory, Ticket

if TYPE_CHECKING:
    from tuki.accounts.models import User


def link_to_ticket(actor: User, ticket: Ticket, article: Article) -> TicketArticle:
    """Record that the article was used on the ticket (idempotent)."""
    require_editor(actor)
    try:
        with transaction.atomic():
            link, _created = TicketArticle.objects.get_or_create(
                ticket=ticket, article=article, defaults={"linked_by": actor}
            )
    except IntegrityError:  # two tabs sent at the same moment: the other one won
        link = TicketArticle.objects.get(ticket=ticket, article=article)
    return link


def article_from_ticket(actor: User, ticket: Ticket, *, language: str = "") -> Article:
    """A draft prefilled from a resolved ticket: problem, resolution, tags; internal until
    someone checks it holds no personal data."""
    require_editor(actor)
    if ticket.status.category not in (StatusCategory.RESOLVED, StatusCategory.CLOSED):
        raise ServiceError(
            _("Only a resolved or closed ticket can become an article."),
            field="ticket",
            code="not_resolved",
        )
    language = language if language in Language.values else Language.EN
    body = "\n\n".join(
        [
            "## " + _("Problem"),
            (ticket.description or ticket.title).strip(),
            "## " + _("Solution"),
            (ticket.resolution or "").strip() or _("Describe the steps that solved it."),
        ]
    )
    with transaction.atomic():
        article = create_article(
            actor,
            title=ticket.title[:TITLE_MAX],
            body=body,
            language=language,
            audience=Audience.INTERNAL,
            tags=[t.name for t in ticket.tags.all()],
            note=_("Written from %(ticket)s") % {"ticket": ticket.number},
            source_ticket=ticket,
        )
        TicketArticle.objects.create(ticket=ticket, article=article, linked_by=actor)
    return article
