"""Who may find what, and search results ready to show: the pages and the API share this.

- Agents and administrators (the workspace): the tickets `Ticket.objects.visible_to(user)`
  allows, with their internal notes; the articles the knowledge app's source allows
  (sources.py; drafts too, not archived).
- Requesters (and anyone in the portal): their own requests (and their organisation's
  when granted), matched and shown on their public text only; published articles they may
  read. Agents in the portal see only the requests they made themselves, as in the portal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.safestring import SafeString

from tuki.search import engine, hybrid, sources
from tuki.search.documents import ARTICLE, KINDS, TICKET
from tuki.tickets.models import Category, Ticket


def is_agent(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_agent or user.is_superuser))


@dataclass
class Filters:
    q: str = ""
    kind: str = ""  # "", "ticket" or "article"
    status: str = ""  # a ticket status category (new, open, pending, resolved, closed)
    category: int | None = None  # a ticket category, with the ones below it
    language: str = ""


@dataclass
class Result:
    kind: str
    object_id: int
    title: SafeString
    snippet: SafeString
    language: str
    url: str
    label: str  # INC-12, KB-3
    obj: Ticket | sources.Found | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def allowed_for(user: Any, filters: Filters, *, portal: bool) -> dict[str, QuerySet[Any]]:
    """The allowed-id subqueries per kind, narrowed by the filters."""
    tickets = Ticket.objects.visible_to(user)
    if portal and is_agent(user):
        tickets = tickets.filter(requester=user)
    if not is_agent(user):
        tickets = tickets.filter(pk__in=_within_reach(user))
    if filters.status:
        tickets = tickets.in_categories([filters.status])
    if filters.category:
        below = [filters.category] + _descendants(filters.category)
        tickets = tickets.filter(category_id__in=below)
    allowed: dict[str, QuerySet[Any]] = {TICKET: tickets.values("pk")}
    # Status and category are ticket fields: asking for them asks for tickets.
    articles = sources.get(ARTICLE)
    if articles is not None and not (filters.status or filters.category):
        allowed[ARTICLE] = articles.visible_to(user, published_only=portal).values("pk")
    if filters.kind in KINDS:
        allowed = {k: v for k, v in allowed.items() if k == filters.kind}
    return allowed


def _within_reach(user: Any) -> QuerySet[Any]:
    """Every ticket a requester could possibly see, as a union of indexed lookups.

    `visible_to` is the rule and still applies; this only narrows it first. A requester's
    rule ORs their own requests with a subquery of the ones they watch (and maybe their
    organisation's), which PostgreSQL can only check row by row: a scan of every ticket
    per search. The union reads a few index entries, so the search starts from the
    requester's few tickets instead of from every ticket matching the words. It must stay a
    superset of tuki/tickets/access.py's requester branch (tests/test_permissions.py).
    """
    own = Ticket.objects.filter(requester=user).order_by().values("pk")
    parts: list[QuerySet[Any, Any]] = [
        Ticket.watchers.through.objects.filter(user=user).order_by().values("ticket_id")
    ]
    if getattr(user, "sees_organisation_tickets", False) and user.organisation_id:
        org = Ticket.objects.filter(organisation_id=user.organisation_id)
        parts.append(org.order_by().values("pk"))
    return own.union(*parts, all=True)


def _descendants(category_id: int) -> list[int]:
    pairs = list(Category.objects.values_list("pk", "parent_id"))
    found, frontier = [], [category_id]
    while frontier:
        children = [pk for pk, parent in pairs if parent in frontier and pk not in found]
        found += children
        frontier = children
    return found


def run(
    user: Any, filters: Filters, *, portal: bool, limit: int, offset: int = 0
) -> tuple[list[Result], int]:
    """One page of results and the total: one search statement and one query per kind
    shown, whatever the page holds."""
    allowed = allowed_for(user, filters, portal=portal)
    found = engine.find(
        filters.q,
        allowed=allowed,
        language=filters.language or None,
        public_only=portal or not is_agent(user),
        limit=limit,
        offset=offset,
        # A requester's tickets, or an agent's own requests in the portal: a few rows.
        few_allowed=(portal or not is_agent(user)) and filters.kind != ARTICLE,
    )
    return load(found.hits, user, portal=portal), found.total


def suggest(user: Any, text: str, *, limit: int = 5) -> list[Result]:
    """Published articles matching any word of what someone is typing, or near it in
    meaning when semantic search is on (deflection)."""
    articles = sources.get(ARTICLE)
    if articles is None:
        return []
    allowed = articles.visible_to(user, published_only=True).values("pk")
    hits = hybrid.search(
        text, kind=ARTICLE, allowed=allowed, any_word=True, public_only=True, limit=limit
    )
    return load(hits, user, portal=True)


def load(hits: list[engine.Hit], user: Any, *, portal: bool) -> list[Result]:
    """The objects behind the hits, one query per kind, in the hits' order."""
    source = sources.get(ARTICLE)
    ticket_ids = [h.object_id for h in hits if h.kind == TICKET]
    article_ids = [h.object_id for h in hits if h.kind == ARTICLE]
    # Only what a result shows (status, category, requester): with_related()'s nine joins
    # cost more to plan than the twenty rows cost to read.
    shown = Ticket.objects.select_related("status", "category", "requester")
    tickets = shown.in_bulk(ticket_ids) if ticket_ids else {}
    articles = source.load(article_ids) if article_ids and source is not None else {}
    results = []
    for hit in hits:
        obj: Ticket | sources.Found | None = (
            tickets.get(hit.object_id) if hit.kind == TICKET else articles.get(hit.object_id)
        )
        if obj is None:  # deleted since it was indexed
            continue
        if isinstance(obj, Ticket):
            url = reverse("portal:detail", args=[obj.number]) if portal else obj.get_absolute_url()
        else:  # loaded through the source, so there is one
            url = source.url(obj.pk, hit.language) if source is not None else ""
        results.append(
            Result(
                hit.kind, hit.object_id, hit.title, hit.snippet, hit.language, url, obj.number, obj
            )
        )
    return results
