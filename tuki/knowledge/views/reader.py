"""The readers' side: knowledge home, categories, the article page, votes, files, the FAQ.

Anonymous visitors may open the public FAQ of an organisation and the published public
articles it links to; everything else asks them to sign in (for any id, readable or not, so
the answer leaks nothing). Signed-in readers get a 404 for what they may not read.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuki.accounts.models import Organisation
from tuki.knowledge import access, services
from tuki.knowledge.forms import VoteForm
from tuki.knowledge.models import (
    Article,
    ArticleCategory,
    ArticleFeedback,
    Language,
    State,
    TicketArticle,
)
from tuki.knowledge.search import find_articles, in_category
from tuki.knowledge.views.common import is_agent, page_context, reader_language, titled, with_titles
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.htmx import is_fragment_request
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets.access import ticket_visible

INLINE_IMAGES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


# --- home and categories ---------------------------------------------------------------------


def _category_counts(user: Any) -> list[ArticleCategory]:
    readable = access.articles_visible_to(user).filter(state=State.PUBLISHED)
    counts = dict(
        readable.filter(category__isnull=False)
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    categories = list(ArticleCategory.objects.all())
    by_id = {c.pk: c for c in categories}
    for category in categories:
        category.total = 0
    for category_id, n in counts.items():
        node = by_id.get(category_id)
        while node is not None:  # an article counts for its category and every ancestor
            node.total += n
            node = by_id.get(node.parent_id) if node.parent_id else None
    return [c for c in categories if c.parent_id is None and c.total]


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    language = reader_language(request)
    q = request.GET.get("q", "").strip()[:200]
    readable = with_titles(
        access.articles_visible_to(request.user).filter(state=State.PUBLISHED)
    ).select_related("category")
    context = page_context(language=language, q=q)
    if q:
        context["results"] = titled(find_articles(request.user, q, language, limit=30), language)
    else:
        context["categories"] = _category_counts(request.user)
        context["faq"] = titled(readable.filter(is_faq=True).order_by("-view_count")[:10], language)
        context["popular"] = titled(readable.order_by("-view_count", "-id")[:8], language)
        context["recent"] = titled(readable.order_by("-published_at", "-id")[:8], language)
    context["organisation"] = getattr(request.user, "organisation", None)
    return render(request, "knowledge/home.html", context)


@login_required
def category(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    node = ArticleCategory.objects.filter(slug=slug).first()
    if node is None:
        raise Http404("No such category")
    language = reader_language(request)
    qs = (
        access.articles_visible_to(request.user)
        .filter(state=State.PUBLISHED)
        .filter(in_category(node))
        .select_related("category")
        .order_by("category__path", "-view_count", "-id")
    )
    context = page_context(
        category=node,
        children=list(node.children.all()),
        articles=titled(with_titles(qs)[:200], language),
        language=language,
    )
    return render(request, "knowledge/category.html", context)


# --- the article -----------------------------------------------------------------------------


def _fetch(request: HttpRequest, pk: int) -> Article | HttpResponse:
    try:
        return access.get_article_for_user(request.user, pk)
    except Http404:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise


def _related(user: Any, article: Article, language: str) -> list[Article]:
    qs = article.related.filter(pk__in=access.articles_visible_to(user).values("pk"))
    if not is_agent(user):
        qs = qs.filter(state=State.PUBLISHED)
    return titled(with_titles(qs)[:10], language)


def _helped(user: Any, article: Article) -> list[TicketArticle]:
    """Tickets the article helped resolve, only those this agent may see."""
    return list(
        article.ticket_links.filter(ticket_visible(user))
        .select_related("ticket__status", "linked_by")
        .order_by("-created_at")[:20]
    )


def article(request: HttpRequest, pk: int) -> HttpResponse:
    found = _fetch(request, pk)
    if isinstance(found, HttpResponse):
        return found
    language = reader_language(request)
    translation = access.translation_for(found, language)
    if found.state == State.PUBLISHED:
        services.record_view(found)
    agent = is_agent(request.user)
    my_vote = None
    if request.user.is_authenticated:
        my_vote = ArticleFeedback.objects.filter(article=found, user=request.user).first()
    context = page_context(
        article=found,
        translation=translation,
        language=language,
        available=[(t.language, Language(t.language).label) for t in found.translations.all()],
        tags=list(found.tags.all()),
        attachments=list(found.attachments.all()),
        related=_related(request.user, found, language),
        helped=_helped(request.user, found) if agent else [],
        agent=agent,
        my_vote=my_vote,
        vote_form=VoteForm(),
        moves=services.allowed_states(found) if agent else (),
    )
    if not agent:
        context["nav"] = "knowledge"
    return render(request, "knowledge/article.html", context)


@login_required
@require_POST
def vote(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = access.get_article_for_user(request.user, pk)
    form = VoteForm(request.POST)
    error = ""
    my_vote = None
    if form.is_valid():
        translation = access.translation_for(found, reader_language(request))
        try:
            my_vote = services.vote(
                request.user, found, form.cleaned_data["helpful"], form.cleaned_data["comment"],
                translation=translation,
            )  # fmt: skip
        except ServiceError as exc:
            error = exc.message
    else:
        error = _("Choose yes or no.") if "helpful" in form.errors else form.errors.as_text()
    if is_fragment_request(request):
        context = {"article": found, "my_vote": my_vote, "vote_form": form, "error": error}
        return render(
            request, "knowledge/partials/vote.html", context, status=422 if error else 200
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Thank you for your feedback."))
    return redirect("knowledge:article", pk=pk)


def attachment(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponseBase:
    found = _fetch(request, pk)
    if isinstance(found, HttpResponse):
        return found
    file = access.get_attachment_for_user(request.user, found, attachment_id)
    inline = file.content_type in INLINE_IMAGES
    response = FileResponse(
        file.file.open("rb"),
        as_attachment=not inline,
        filename=file.name,
        content_type=file.content_type,
    )
    # Images show inside articles; anything else is a download, and nothing may run.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- FAQ -------------------------------------------------------------------------------------


def _organisation(key: str) -> Organisation:
    active = Organisation.objects.filter(is_active=True)
    if (pk := parse_id(key)) is not None:
        found = active.filter(pk=pk).first()
    else:
        found = next((o for o in active.only("id", "name") if slugify(o.name) == key), None)
    if found is None:
        raise Http404("No such organisation")
    return found


def faq(request: HttpRequest, organisation: str) -> HttpResponse:
    """The prepared answers an organisation's people may read; open to anyone for the public
    ones, signed-in members see their organisation's own too."""
    org = _organisation(organisation)
    language = reader_language(request)
    qs = (
        access.faq_for_organisation(request.user, org)
        .select_related("category")
        .order_by("category__path", "-view_count", "-id")
    )
    articles = titled(qs.prefetch_related("translations"), language)
    groups: dict[str, list[Article]] = {}
    for item in articles:
        groups.setdefault(item.category.path if item.category else "", []).append(item)
    context = page_context(organisation=org, groups=groups, language=language, count=len(articles))
    return render(request, "knowledge/faq.html", context)
