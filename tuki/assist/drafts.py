"""Reply drafts: what similar resolved tickets and articles already said, for an agent to
insert into the reply box and edit (extractive; no model writes anything).

1. Candidates: resolved or closed tickets the agent may see (`visible_to`), not merged, with
   a resolution text; those of the ticket's category family or service first, then the
   others; at most CANDIDATES, newest first.
2. Each scored by its title against the ticket's (the stem overlap of duplicates.py) and,
   when the optional semantic model is on, the cosine of stored vectors; the higher counts.
3. Articles from the sources the knowledge app registers (`register_articles`): its search,
   filtered by what the agent may read.
4. Up to LIMIT drafts, best ticket and best article first; each says where it came from.

5. When the optional local model is set up (llm.py), an agent may ask it to write one reply
   from those drafts (`model_draft`): they are its only sources.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _

from tuki.assist import embeddings, llm, semantic
from tuki.assist.duplicates import category_family, stem_similarity, word_keys
from tuki.tickets.access import can_note
from tuki.tickets.choices import StatusCategory
from tuki.tickets.models import Ticket

if TYPE_CHECKING:
    from tuki.accounts.models import User

CANDIDATES = 300
LIMIT = 3
STEM_MIN = 0.5  # half the shorter title's words shared (as duplicates.py)
SEMANTIC_MIN = 0.4  # as duplicates.py
CHARS = 2000  # of a draft's text


class Source(StrEnum):
    TICKET = "ticket"
    ARTICLE = "article"


@dataclass(frozen=True)
class Draft:
    text: str  # what "Insert" puts in the reply box
    kind: Source
    label: str  # where it came from: "INC-1042: VPN drops" or "KB-12: Connect to the VPN"
    url: str
    similarity: float = 0.0


# (agent, text to look for, language) -> article drafts the agent may read, best first.
ArticleDrafts = Callable[["User", str, str], list[Draft]]
_ARTICLES: list[ArticleDrafts] = []


def register_articles(source: ArticleDrafts) -> None:
    """Called by the knowledge app (it may import assist; assist may not import it)."""
    if source not in _ARTICLES:
        _ARTICLES.append(source)


def resolved_candidates(agent: User, ticket: Ticket) -> list[Ticket]:
    """Resolved tickets with a resolution text the agent may see: the category's first."""
    family, service = category_family(ticket.category)
    base = (
        Ticket.objects.visible_to(agent)
        .in_categories((StatusCategory.RESOLVED, StatusCategory.CLOSED))
        .filter(merged_into=None)
        .exclude(resolution="")
        .exclude(pk=ticket.pk)
        .only("pk", "kind", "title", "resolution", "category_id")
        .order_by("-id")
    )
    related = family | service
    found: list[Ticket] = []
    if related:
        found = list(base.filter(category_id__in=related)[:CANDIDATES])
    if len(found) < CANDIDATES:
        others = base.exclude(category_id__in=related) if related else base
        found += list(others[: CANDIDATES - len(found)])
    return found


def similar_resolved(agent: User, ticket: Ticket) -> list[tuple[Ticket, float]]:
    """The resolved tickets saying what this one says, most similar first."""
    text = ticket.title.strip() or ticket.description.strip()[:200]
    if not text:
        return []
    found = resolved_candidates(agent, ticket)
    vectors: dict[int, float] = {}
    if found and embeddings.available():
        query = semantic.ticket_text(ticket.title, ticket.description)
        vectors = semantic.ticket_similarities(query, [t.pk for t in found])
    wanted = word_keys(text)
    scored = []
    for candidate in found:
        stems = stem_similarity(wanted, word_keys(candidate.title))
        meaning = vectors.get(candidate.pk, 0.0)
        if stems >= STEM_MIN or meaning >= SEMANTIC_MIN:
            scored.append((candidate, max(stems, meaning)))
    scored.sort(key=lambda pair: (-pair[1], -pair[0].pk))
    return scored


def ticket_draft(resolved: Ticket, score: float) -> Draft:
    return Draft(
        text=resolved.resolution.strip()[:CHARS],
        kind=Source.TICKET,
        label=f"{resolved.number}: {resolved.title}",
        url=resolved.get_absolute_url(),
        similarity=score,
    )


def article_drafts(agent: User, ticket: Ticket, language: str) -> list[Draft]:
    text = ticket.title.strip() or ticket.description.strip()[:200]
    if not text:
        return []
    found: list[Draft] = []
    for source in _ARTICLES:
        found += source(agent, text[:200], language)
    return found


def drafts_for(agent: User, ticket: Ticket, language: str = "en") -> list[Draft]:
    """Up to LIMIT drafts for the agent's reply on this ticket, from what the agent may see:
    the best resolved ticket, the best article, then the next best of either."""
    tickets = [ticket_draft(t, score) for t, score in similar_resolved(agent, ticket)[:LIMIT]]
    articles = article_drafts(agent, ticket, language)[:LIMIT]
    ordered = tickets[:1] + articles[:1] + tickets[1:] + articles[1:]
    seen: set[str] = set()
    drafts = []
    for draft in ordered:
        if draft.text and draft.text not in seen:
            seen.add(draft.text)
            drafts.append(draft)
    return drafts[:LIMIT]


def model_draft(agent: User, ticket: Ticket, language: str = "en") -> str:
    """The local model's reply, written from this ticket and the drafts above (llm.py).

    Raises llm.ModelError when there is nothing to write from or the model fails: with no
    source, a model would only make a reply up."""
    sources = [draft.text for draft in drafts_for(agent, ticket, language)]
    if not sources:
        raise llm.ModelError(
            _("No similar resolved ticket or article to write from: nothing was sent.")
        )
    return llm.ask(llm.payload(ticket.title, ticket.description, sources, language))


def section_context(user: User, ticket: Ticket) -> dict[str, Any] | None:
    """For tickets/sections.py: agents who may write on an open ticket; loads with htmx."""
    if not ticket.is_active or not can_note(user, ticket):
        return None
    return {"url": reverse("assist:drafts", args=[ticket.number])}
