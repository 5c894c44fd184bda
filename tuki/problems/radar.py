"""The problem radar: open incidents that look like one problem (docs/problems.md, "Radar").

1. Candidates: the open incidents registered within the window (TUKI_PROBLEM_RADAR_DAYS),
   not linked to a problem, not dismissed, that the reader may see; at most MAX_CANDIDATES,
   the newest. Two queries read them (with the requester's language) and their affected
   items.
2. Words: title (counted twice) and the start of the description, split, stop words
   dropped, stemmed in the requester's language with the search app's Snowball stemmers.
   A word only one incident uses cannot make two alike and one most incidents use tells
   nothing: both are dropped, and the vocabulary is capped (MAX_VOCABULARY, the rarest kept).
3. TF-IDF vectors, cosine similarity through an inverted index (only pairs sharing a word
   are compared). Two incidents are alike when their texts are close, or a little close and
   of the same category or naming the same configuration item, or when they name the same
   item in the same category.
   With semantic search on (the `semantic` extra), the stored vectors of the candidates say
   too which pairs written in different languages mean the same thing, where words cannot
   (assist.semantic.ticket_pairs): close in meaning is alike, a little close is alike with
   the same category or item. Pairs in one language are left to the words.
4. Alike incidents join into clusters (union-find); a cluster of at least
   TUKI_PROBLEM_RADAR_MIN_INCIDENTS is a proposal, with its reasons: the shared words, the
   shared category, the shared items.

Plain Python over at most MAX_CANDIDATES short texts: bounded whatever the desk's size.
"""

from __future__ import annotations

import datetime
import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from tuki.accounts.models import User
from tuki.assist import semantic
from tuki.cmdb.models import AffectedItem
from tuki.problems import access
from tuki.problems.models import RadarDismissal
from tuki.problems.services import linked_incidents
from tuki.search.text import STEMMERS, STOPWORDS, clean, fold, stem, words
from tuki.tickets.models import Kind, LinkType, Ticket, TicketLink, TicketQuerySet

MAX_CANDIDATES = 2000
MAX_VOCABULARY = 5000
TOP_TERMS = 12  # the words of an incident that find its neighbours
MAX_POSTING = 150  # a word more incidents share is too common to tell them apart
DESCRIPTION_CHARS = 1000
MAX_WORDS = 60  # per incident
CLOSE = 0.45  # cosine: alike on text alone
NEAR = 0.2  # cosine: alike with the same category or item
SIMILAR_LIMIT = 10
# Cosine of two tickets' stored vectors (passages, centred per language), for requesters of
# different languages. Measured on the fixed en/ro/fi set (assist/tests/multilingual.py): the
# same issue in two languages 0.28-0.74 (median 0.6); different issues in two languages at
# most 0.34 (in one language up to 0.45: such pairs are left to the words).
MEANING_CLOSE = 0.45  # alike on meaning alone
MEANING_NEAR = 0.36  # alike with the same category or item


def min_incidents() -> int:
    return max(2, int(getattr(settings, "PROBLEM_RADAR_MIN_INCIDENTS", 3)))


def window_days() -> int:
    return max(1, int(getattr(settings, "PROBLEM_RADAR_DAYS", 14)))


@dataclass
class Doc:
    pk: int
    category_id: int | None
    weights: Counter[str]
    items: set[int] = field(default_factory=set)
    language: str = "en"
    vector: dict[str, float] = field(default_factory=dict)


@dataclass
class Proposal:
    key: str
    incidents: list[Ticket]
    words: list[str]
    category: str
    items: list[str]
    meaning: bool = False  # some of them were joined by meaning (semantic), not by words

    @property
    def ids(self) -> list[int]:
        return [t.pk for t in self.incidents]

    @property
    def title(self) -> str:
        return self.incidents[0].title if self.incidents else ""


def _terms(text: str, language: str, surface: dict[str, str]) -> list[str]:
    found = []
    for word in words(clean(text, DESCRIPTION_CHARS * 2)):
        if len(word) < 3 or word in STOPWORDS or word.isdigit():
            continue
        term = fold(stem(language, word))
        surface.setdefault(term, word)
        found.append(term)
        if len(found) >= MAX_WORDS:
            break
    return found


def _doc(row: Mapping[str, Any], surface: dict[str, str]) -> Doc:
    language = str(row.get("requester__language") or "en")
    language = language if language in STEMMERS else "en"
    title = str(row["title"] or "")
    description = str(row["description"] or "")[:DESCRIPTION_CHARS]
    weights: Counter[str] = Counter(_terms(title, language, surface) * 2)
    weights.update(_terms(description, language, surface))
    pk = row["pk"]
    category = row["category_id"]
    return Doc(
        pk=pk if isinstance(pk, int) else 0,
        category_id=category if isinstance(category, int) else None,
        weights=weights,
        language=language,
    )


def candidates(user: User, *, now: datetime.datetime | None = None) -> TicketQuerySet:
    """Open incidents of the window the user may see, not linked, not dismissed."""
    now = now or timezone.now()
    linked = TicketLink.objects.filter(type=LinkType.CAUSED_BY, target__kind=Kind.PROBLEM)
    return (
        access.incidents_visible_to(user)
        .active()
        .filter(created_at__gte=now - datetime.timedelta(days=window_days()))
        .exclude(pk__in=linked.values("source_id"))
        .exclude(pk__in=RadarDismissal.objects.values("incident_id"))
    )


def _load(rows: Iterable[Mapping[str, Any]]) -> tuple[list[Doc], dict[str, str]]:
    surface: dict[str, str] = {}
    docs = [_doc(row, surface) for row in rows]
    by_pk = {d.pk: d for d in docs}
    named = AffectedItem.objects.filter(ticket_id__in=list(by_pk)).values_list("ticket_id", "ci_id")
    for ticket_id, ci_id in named:
        by_pk[ticket_id].items.add(ci_id)
    return docs, surface


def _vectorise(docs: list[Doc], *, keep_all_from: int | None = None) -> dict[str, float]:
    """Weight each doc's terms by TF-IDF (normalised); returns the idf of the vocabulary.
    `keep_all_from`: a doc (the problem) whose words are kept even when only it has them."""
    n = len(docs)
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.weights.keys())
    common = min(max(10, n // 2), MAX_POSTING)
    vocabulary = [t for t, c in df.items() if 2 <= c <= common]
    vocabulary.sort(key=lambda t: (df[t], t))
    kept = set(vocabulary[:MAX_VOCABULARY])
    idf = {t: math.log((1 + n) / (1 + df[t])) + 1.0 for t in kept}
    for d in docs:
        vec = {t: (1 + math.log(c)) * idf[t] for t, c in d.weights.items() if t in idf}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        d.vector = {t: v / norm for t, v in vec.items()}
    return idf


def _similarities(docs: list[Doc]) -> dict[tuple[int, int], float]:
    """Cosine of the pairs of docs (index pairs i < j) that share one of their TOP_TERMS
    strongest words: an inverted index over those words finds the pairs, the full vectors
    score them."""
    postings: dict[str, list[int]] = defaultdict(list)
    for i, d in enumerate(docs):
        for term in sorted(d.vector, key=lambda t: (-d.vector[t], t))[:TOP_TERMS]:
            postings[term].append(i)
    pairs: set[tuple[int, int]] = set()
    for ids in postings.values():
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                pairs.add((ids[a], ids[b]))
    scores: dict[tuple[int, int], float] = {}
    for i, j in pairs:
        one, other = docs[i].vector, docs[j].vector
        scores[(i, j)] = sum(one[t] * other[t] for t in one.keys() & other.keys())
    return scores


def alike(a: Doc, b: Doc, cosine: float, meaning: float = 0.0) -> bool:
    same_category = a.category_id is not None and a.category_id == b.category_id
    same_item = bool(a.items & b.items)
    if cosine >= CLOSE or meaning >= MEANING_CLOSE:
        return True
    if (cosine >= NEAR or meaning >= MEANING_NEAR) and (same_category or same_item):
        return True
    return same_item and same_category


def _meanings(docs: list[Doc]) -> dict[tuple[int, int], float]:
    """Pairs of docs (index pairs i < j) of requesters of different languages that are close
    in meaning, from their stored vectors."""
    index = {d.pk: i for i, d in enumerate(docs)}
    found = {}
    for (a, b), score in semantic.ticket_pairs(list(index), MEANING_NEAR).items():
        i, j = sorted((index[a], index[b]))
        if docs[i].language != docs[j].language:
            found[(i, j)] = score
    return found


def _clusters(docs: list[Doc]) -> tuple[list[list[int]], set[int]]:
    """The groups of alike docs (indexes), and the docs joined to another by meaning alone."""
    parent = list(range(len(docs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    scores = _similarities(docs)
    by_item: dict[int, list[int]] = defaultdict(list)
    for i, d in enumerate(docs):
        for ci in d.items:
            by_item[ci].append(i)
    for members in by_item.values():  # same item and category: alike without a shared word
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                i, j = members[a], members[b]
                scores.setdefault((min(i, j), max(i, j)), 0.0)
    meanings = _meanings(docs)
    for pair in meanings:
        scores.setdefault(pair, 0.0)
    by_meaning: set[int] = set()
    for (i, j), cosine in scores.items():
        meaning = meanings.get((i, j), 0.0)
        if alike(docs[i], docs[j], cosine, meaning):
            parent[root(i)] = root(j)
            if not alike(docs[i], docs[j], cosine):
                by_meaning |= {i, j}
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(docs)):
        groups[root(i)].append(i)
    return list(groups.values()), by_meaning


def proposals(user: User, *, now: datetime.datetime | None = None) -> list[Proposal]:
    """The radar's proposals for this reader, biggest cluster first."""
    rows = (
        candidates(user, now=now)
        .order_by("-created_at", "-pk")
        .values("pk", "title", "description", "category_id", "requester__language")[:MAX_CANDIDATES]
    )
    docs, surface = _load(rows)
    if len(docs) < min_incidents():
        return []
    _vectorise(docs)
    clusters, by_meaning = _clusters(docs)
    found = [g for g in clusters if len(g) >= min_incidents()]
    if not found:
        return []
    ids = [docs[i].pk for g in found for i in g]
    tickets = Ticket.objects.filter(pk__in=ids).select_related("status", "category").in_bulk()
    names = dict(
        AffectedItem.objects.filter(ticket_id__in=ids).values_list("ci_id", "ci__name").distinct()
    )
    result = []
    for group in found:
        members = [docs[i] for i in group]
        proposal = _proposal(members, tickets, surface, names)
        proposal.meaning = any(i in by_meaning for i in group)
        result.append(proposal)
    result.sort(key=lambda p: (-len(p.incidents), p.key))
    return result


def _proposal(
    members: list[Doc],
    tickets: dict[int, Ticket],
    surface: dict[str, str],
    names: dict[int, str],
) -> Proposal:
    half = max(2, math.ceil(len(members) / 2))
    counts: Counter[str] = Counter()
    for d in members:
        counts.update(d.vector.keys())
    shared = [surface.get(t, t) for t, c in counts.most_common(8) if c >= half]
    categories = {d.category_id for d in members}
    incidents = sorted(
        (tickets[d.pk] for d in members if d.pk in tickets), key=lambda t: (t.created_at, t.pk)
    )
    category = ""
    if len(categories) == 1 and None not in categories and incidents:
        category = incidents[0].category.path if incidents[0].category else ""
    item_counts: Counter[int] = Counter()
    for d in members:
        item_counts.update(d.items)
    items = sorted(names.get(ci, "") for ci, c in item_counts.items() if c >= half)
    ids = sorted(d.pk for d in members)
    key = hashlib.sha1(",".join(map(str, ids)).encode()).hexdigest()[:12]
    return Proposal(key, incidents, shared, category, [i for i in items if i])


def similar_incidents(
    user: User, problem: Ticket, *, now: datetime.datetime | None = None
) -> list[tuple[Ticket, float]]:
    """Open unlinked incidents of the window most like this problem (text, category, items)."""
    rows = list(
        candidates(user, now=now)
        .order_by("-created_at", "-pk")
        .values("pk", "title", "description", "category_id", "requester__language")[:MAX_CANDIDATES]
    )
    if not rows:
        return []
    problem_row: dict[str, Any] = {
        "pk": problem.pk,
        "title": problem.title,
        "description": problem.description,
        "category_id": problem.category_id,
        # The problem's writer's language (a problem's requester is whoever registered it).
        "requester__language": getattr(problem.requester, "language", "") or "en",
    }
    docs, _surface = _load([problem_row, *rows])
    # The problem's own items and those of its linked incidents describe it too.
    named = AffectedItem.objects.filter(
        ticket_id__in=[problem.pk, *linked_incidents(problem).values_list("pk", flat=True)[:200]]
    ).values_list("ci_id", flat=True)
    docs[0].items = set(named)
    _vectorise(docs)
    target = docs[0]
    meanings = semantic.similar_to_ticket(
        problem.pk, [d.pk for d in docs[1:] if d.language != target.language]
    )
    scored = []
    for d in docs[1:]:
        cosine = sum(w * d.vector.get(t, 0.0) for t, w in target.vector.items())
        meaning = meanings.get(d.pk, 0.0)
        if alike(target, d, cosine, meaning):
            bonus = 0.1 * (target.category_id is not None and target.category_id == d.category_id)
            best = max(cosine, meaning)
            scored.append((d.pk, best + bonus + 0.2 * bool(target.items & d.items)))
    scored.sort(key=lambda s: (-s[1], -s[0]))
    top = scored[:SIMILAR_LIMIT]
    tickets = (
        Ticket.objects.filter(pk__in=[pk for pk, _s in top]).select_related("status").in_bulk()
    )
    return [(tickets[pk], score) for pk, score in top if pk in tickets]
