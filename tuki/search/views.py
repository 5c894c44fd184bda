"""Search pages: the workspace search (agents), the portal search (requesters), the
suggestions shown while a request or a call is typed, and "This solved my problem"."""

from __future__ import annotations

import math
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tuki.assist import checks, embeddings
from tuki.lib.bounds import parse_id
from tuki.lib.htmx import render_page_or_fragment
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.search import deflection, engine, queries, sources
from tuki.search.documents import ARTICLE
from tuki.search.forms import SearchForm
from tuki.tickets.models import Ticket

PAGE_SIZE = 20
SUGGEST_CHARS = 2000


def _data(request: HttpRequest) -> QueryDict:
    # NUL characters cannot be stored or searched; a form error for them would help nobody.
    data = request.GET.copy()
    data["q"] = data.get("q", "").replace("\x00", " ")
    return data


def _page_number(request: HttpRequest) -> int:
    value = request.GET.get("page", "1")
    number = parse_id(value) if len(value) < 6 else None
    return max(1, min(number, 10_000)) if number is not None else 1


def _results(request: HttpRequest, form: SearchForm, *, portal: bool) -> dict[str, Any]:
    filters = form.filters()
    number = _page_number(request)
    results: list[queries.Result] = []
    total = 0
    if filters.q:
        results, total = queries.run(
            request.user, filters, portal=portal, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
        )
        if number == 1:
            engine.log_query(request.user, filters.q, total)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    query = _data(request)
    query.pop("page", None)
    return {
        "form": form,
        "filters": filters,
        "results": results,
        "total": total,
        "page_number": number,
        "pages": pages,
        "has_previous": number > 1,
        "has_next": number < pages,
        "base_query": query.urlencode(),
        "count_cap": engine.COUNT_CAP,
    }


def search_page(request: HttpRequest) -> HttpResponse:
    """The workspace search: tickets and articles together, ranked, with filters."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not queries.is_agent(request.user):
        return redirect(f"{reverse('search:portal')}?{_data(request).urlencode()}")
    form = SearchForm(_data(request))
    jump = _ticket_jump(request.user, _data(request).get("q", ""))
    if jump:
        return redirect(jump)
    context = {"nav": "search", **_results(request, form, portal=False)}
    if request.user.is_superuser and embeddings.missing():
        context["semantic_off"] = checks.off_message()  # what an administrator can change
    return render_page_or_fragment(
        request, "search/page.html", "search/partials/results.html", context
    )


def _ticket_jump(user: Any, text: str) -> str | None:
    """INC-123 typed in the search box opens the ticket, if this user may see it."""
    parsed = Ticket.parse_number(text)
    if parsed and Ticket.objects.visible_to(user).filter(Ticket.number_q(*parsed)).exists():
        return reverse("tickets:detail", args=[text.strip().strip("[]").upper()])
    return None


@login_required
def portal_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The portal search: the requester's own requests and the articles they may read."""
    form = SearchForm(_data(request), portal=True)
    parsed = Ticket.parse_number(_data(request).get("q", ""))
    if parsed:  # INC-123: straight to the request, if it is one of theirs
        mine = queries.allowed_for(request.user, queries.Filters(), portal=True)["ticket"]
        ticket = Ticket.objects.filter(Ticket.number_q(*parsed), pk__in=mine).first()
        if ticket is not None:
            return redirect("portal:detail", number=ticket.number)
    context = {"nav": "portal_search", "portal": True, **_results(request, form, portal=True)}
    return render_page_or_fragment(
        request, "search/portal.html", "search/partials/results.html", context
    )


@login_required
def suggest(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Articles matching what is being typed (htmx fragment, on the request and call forms)."""
    channel = request.GET.get("channel", "portal")
    if channel not in deflection.CHANNELS or (
        channel == "call" and not queries.is_agent(request.user)
    ):
        channel = "portal"
    text = " ".join(
        request.GET.get(name, "").replace("\x00", " ")[:SUGGEST_CHARS]
        for name in ("title", "description")
    ).strip()
    results = queries.suggest(request.user, text) if text else []
    if results:
        deflection.remember(request, text, channel)
    context = {"results": results, "channel": channel, "typed": bool(text)}
    return render(request, "search/partials/suggestions.html", context)


@login_required
@require_POST
def solved(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """ "This solved my problem": count the request that did not need a ticket, and thank."""
    articles = sources.get(ARTICLE)
    if articles is None:
        raise Http404("No articles")
    article = articles.get_for_user(request.user, pk)
    shown = deflection.pending(request)
    deflection.record_solved(request, article)
    translation = articles.translation(article, getattr(request.user, "language", None))
    context = {
        "nav": "portal_new",
        "article": article,
        "translation": translation,
        "channel": (shown or {}).get("channel", "portal"),
    }
    return render(request, "search/solved.html", context)
