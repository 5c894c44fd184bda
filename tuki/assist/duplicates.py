"""Open tickets a new call (or request) may duplicate, and the live outages it may belong to.

1. Candidates, all open, not merged, visible to the operator: the caller's own (any age);
   the caller's organisation's and those of the same category, its ancestors, descendants
   or service, opened in the last WINDOW_DAYS (an id range, so the cost follows the
   tickets of the window, not the table); at most CAP, newest first.
2. Live outages of the same category family or service (tickets/intake.py: a declared
   major incident, an ongoing outage's incident, an open P1/P2 incident with children).
3. Each scored by its title against the call's: the word overlap over the stems in every
   desk language (similar.py), and the cosine of stored multilingual vectors when the
   optional semantic model is installed (`tuki.assist.semantic`); the higher counts.
4. Kept: outages always, the others when similar enough; each says why.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from tuki.tickets.intake import Call, Duplicate, first_id_since, live_outages
from tuki.tickets.models import Category, Ticket
from tuki.tickets.similar import STEMMERS, WORD, _stemmer

if TYPE_CHECKING:
    from tuki.accounts.models import User


@lru_cache(maxsize=1)
def _optional_semantic() -> Callable[[str, list[int]], dict[int, float]] | None:
    """The optional multilingual model's scorer (another part of Assist); None: stems only.
    Looked up by name, so a build without it type-checks and runs the same."""
    try:
        module = importlib.import_module("tuki.assist.semantic")
    except ImportError:
        return None
    scorer = getattr(module, "ticket_similarities", None)
    return scorer if callable(scorer) else None


SEP = " › "  # Category.path joins its names with this
WINDOW_DAYS = 14
CAP = 200
LIMIT = 5
OUTAGES = 3
STEM_MIN = 0.5  # half the shorter title's words shared
# Cosine of the language-centred vectors (embeddings.py). On the fixed sets (tests'
# intake_set.py and multilingual.py) the same issue told in another language scored 0.38 to
# 0.9 (median 0.66) and different issues at most 0.41 (median 0.19): 0.4 takes nearly all
# of the first and almost none of the second; the candidates are the caller's, their
# organisation's and the category's open tickets anyway.
SEMANTIC_MIN = 0.4
STOP = {
    *("the", "and", "for", "not", "with", "does", "cannot", "can't", "doesn't", "from"),
    *("nu", "cu", "pentru", "este", "sunt", "din", "care"),
    *("ei", "ole", "eikä", "kun", "tai", "sekä"),
}


def semantic_similarities(text: str, ticket_ids: list[int]) -> dict[int, float]:
    scorer = _optional_semantic()
    if scorer is None or not ticket_ids or not text.strip():
        return {}
    return scorer(text, ticket_ids)


def word_keys(text: str) -> list[frozenset[str]]:
    """Each word of `text` as its stems in every desk language (the language is unknown)."""
    words = [w for w in WORD.findall(text.casefold()) if w not in STOP]
    return [_word_key(w) for w in dict.fromkeys(words)]


@lru_cache(maxsize=50_000)
def _word_key(word: str) -> frozenset[str]:
    # Snowball in pure Python is the cost here: a desk's vocabulary is small, so keep it.
    return frozenset({word, *(_stemmer(name).stemWord(word) for name in STEMMERS.values())})


def stem_similarity(a: list[frozenset[str]], b: list[frozenset[str]]) -> float:
    """The share of the shorter text's words found in the other (a word is found when one of
    its stems is one of the other's)."""
    if not a or not b:
        return 0.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    pool = set().union(*long_)
    return sum(1 for keys in short if keys & pool) / len(short)


def category_family(category: Category | None) -> tuple[set[int], set[int]]:
    """(the category, its ancestors and descendants; the other categories of its services)."""
    if category is None:
        return set(), set()
    ancestors: list[Category] = []
    node: Category | None = category
    while node is not None:
        ancestors.append(node)
        node = node.parent
    family = {c.pk for c in ancestors} | set(
        Category.objects.filter(path__startswith=category.path + SEP).values_list("pk", flat=True)
    )
    roots = list(
        Category.objects.filter(services__categories__in=[c.pk for c in ancestors])
        .values_list("path", flat=True)
        .distinct()
    )
    if not roots:
        return family, set()
    under = Q()
    for path in roots:
        under |= Q(path=path) | Q(path__startswith=path + SEP)
    service = set(Category.objects.filter(under).values_list("pk", flat=True)) - family
    return family, service


def candidates(user: User, call: Call, family: set[int], service: set[int]) -> list[Ticket]:
    """One query per kind of candidate, each seeking its own index (a query joining them
    with OR read tens of thousands of rows at 1M tickets): the caller's own (requester,
    id), the organisation's and the category family's open ones of the window (status,
    organisation or category, id)."""
    caller = call.caller
    since = first_id_since(WINDOW_DAYS)
    wheres = []
    if caller is not None:
        wheres.append(Q(requester=caller))
        if caller.organisation_id is not None:
            wheres.append(Q(organisation_id=caller.organisation_id, pk__gte=since))
    if family or service:
        wheres.append(Q(category_id__in=family | service, pk__gte=since))
    base = (
        Ticket.objects.visible_to(user)
        .active()
        .filter(merged_into=None)
        .select_related("status")
        .only("pk", "kind", "title", "requester_id", "organisation_id", "category_id", "status")
        .order_by("-id")
    )
    found: dict[int, Ticket] = {}
    for where in wheres:
        found.update((ticket.pk, ticket) for ticket in base.filter(where)[:CAP])
    return sorted(found.values(), key=lambda t: -t.pk)[:CAP]


def outages(user: User, family: set[int], service: set[int]) -> list[Ticket]:
    if not family and not service:
        return []
    return list(
        live_outages(user)
        .filter(category_id__in=family | service)
        .select_related("status")
        .order_by("priority", "-id")[:OUTAGES]
    )


def find(user: User, call: Call) -> list[Duplicate]:
    """The open tickets this call may duplicate, outages first, then the most similar."""
    text = call.title.strip() or call.description.strip()[:200]
    family, service = category_family(call.category)
    live = outages(user, family, service)
    if not text and not live:
        return []
    found = {t.pk: t for t in candidates(user, call, family, service) if text}
    live_ids = {t.pk for t in live}
    found |= {t.pk: t for t in live}
    semantic = semantic_similarities(f"{text}\n{call.description[:500]}", list(found))
    wanted = word_keys(text)
    results: list[Duplicate] = []
    for ticket in found.values():
        score = max(stem_similarity(wanted, word_keys(ticket.title)), semantic.get(ticket.pk, 0.0))
        similar = score >= STEM_MIN or semantic.get(ticket.pk, 0.0) >= SEMANTIC_MIN
        if ticket.pk not in live_ids and not similar:
            continue
        results.append(_duplicate(call, ticket, score, ticket.pk in live_ids, family, service))
    results.sort(key=lambda d: (not d.outage, not d.own, -d.similarity, -d.ticket.pk))
    return results[:LIMIT]


def _duplicate(
    call: Call, ticket: Ticket, score: float, outage: bool, family: set[int], service: set[int]
) -> Duplicate:
    caller = call.caller
    own = caller is not None and ticket.requester_id == caller.pk
    reasons = []
    if outage:
        reasons.append(_("a live outage"))
    if own:
        reasons.append(_("same caller"))
    elif (
        caller is not None
        and caller.organisation_id
        and (ticket.organisation_id == caller.organisation_id)
    ):
        reasons.append(_("same organisation"))
    if ticket.category_id in family:
        reasons.append(_("same category"))
    elif ticket.category_id in service:
        reasons.append(_("same service"))
    return Duplicate(ticket=ticket, reasons=reasons, similarity=score, own=own, outage=outage)
