"""Articles on the ticket page: the reply box's "Insert article" picker, and "Create
article" on a resolved ticket."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuki.knowledge import access, services
from tuki.knowledge.models import State
from tuki.knowledge.search import find_articles
from tuki.knowledge.views.common import agent_required
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets.access import get_ticket_for_user

PICKER_SIZE = 8


@agent_required(hide=True)
def insert_picker(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Published articles to insert into a reply, in the requester's language when it exists.

    The inserted text carries the article's number (KB-12): when the reply is sent, the
    receiver in tuki/knowledge/receivers.py records that the article was used on the ticket.
    """
    ticket = get_ticket_for_user(request.user, number)
    language = getattr(ticket.requester, "language", "") or "en"
    q = request.GET.get("q", "").strip()[:200]
    if q:
        articles = find_articles(request.user, q, language, limit=PICKER_SIZE, log=False)
    else:
        articles = list(
            access.articles_visible_to(request.user)
            .filter(state=State.PUBLISHED)
            .prefetch_related("translations")
            .order_by("-view_count", "-id")[:PICKER_SIZE]
        )
    rows = []
    for article in articles:
        translation = access.translation_for(article, language)
        if translation is not None:
            url = request.build_absolute_uri(article_url(article.pk, translation.language))
            rows.append({"article": article, "translation": translation, "url": url})
    context = {"ticket": ticket, "rows": rows, "q": q}
    return render(request, "knowledge/partials/insert_picker.html", context)


def article_url(pk: int, language: str) -> str:
    from django.urls import reverse

    return f"{reverse('knowledge:article', args=[pk])}?lang={language}"


@agent_required(hide=True)
@require_POST
def from_ticket(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, number)
    try:
        article = services.article_from_ticket(request.user, ticket)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(ticket.get_absolute_url())
    messages.success(
        request,
        _("Draft %(number)s written from %(ticket)s: check it holds no personal data.")
        % {"number": article.number, "ticket": ticket.number},
    )
    return redirect("knowledge:edit", pk=article.pk)
